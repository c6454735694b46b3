/**
 * Property-based fuzz of every operation in GET /openapi.json (all five
 * dialects, the QR downloads, operations and redirect routes), through
 * app.handle in-process, mostly with a valid key of user A.
 *
 * Properties, for every generated request:
 *   1. the answer is < 500 (and app.handle never throws);
 *   2. a response that says it is JSON parses as JSON;
 *   3. Object.prototype, Array.prototype and Function.prototype are untouched;
 *   4. user B's links, schedules, QR codes, keys and user row — made before
 *      the run — are byte-identical, whatever A sends, B's ids and codes
 *      included (IDOR probes are part of the path generator).
 * B's click counters are left out of the comparison: anyone may visit B's
 * public short links, and a visit is supposed to count.
 *
 * Runs: FUZZ_RUNS per path (default 300; each path groups its methods);
 * FUZZ_SEED replays a run; FUZZ_SHRINK=1 shrinks a counterexample (off by
 * default: shrinking replays requests against a stateful app);
 * FUZZ_VERBOSE=1 prints statuses per operation and FUZZ_DEBUG_OP="POST
 * /api/v1/links" every answer of one operation, to see how deep the inputs
 * get. The total is printed at the end.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { createSafeFetcher } from '../../src/fetcher/safe-fetch.ts';
import { createUnshortener } from '../../src/fetcher/unshorten.ts';
import {
  authChoice,
  bodyFor,
  CONTENT_TYPES,
  contentTypeFor,
  encodeBody,
  extraHeaders,
  operationsOf,
  pathValue,
  queryFor,
  type AuthChoice,
  type FuzzBody,
  type FuzzOperation,
} from '../helpers/fuzz-inputs.ts';
import { BASE, makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
// counters that legitimately move when anyone visits B's public links
const VOLATILE = new Set(['total_clicks', 'unique_clicks', 'last_clicked_at']);

let t: TestApp;
let a: Awaited<ReturnType<TestApp['user']>>;
let b: Awaited<ReturnType<TestApp['user']>>;
let ops: FuzzOperation[] = [];
const known = { ids: [] as number[], codes: [] as string[] };
const publicForm = { cookie: '', token: '' };
let bSeed = { ids: [] as number[], codes: [] as string[] };
const statuses = new Map<number, number>();
const byOperation = new Map<string, Map<number, number>>();
let tried = 0;

// Loaded at import time so describe() can register one test per path.
const docApp = await makeTestApp();
ops = operationsOf((await (await docApp.request('GET', '/openapi.json')).json()) as Parameters<typeof operationsOf>[0]);
await docApp.close();
const groups = Map.groupBy(ops, (op) => op.path);

function snapshotB(): string {
  const db = t.services.db.sqlite;
  const strip = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !VOLATILE.has(k))));
  const id = b.user.id;
  return JSON.stringify({
    user: db.query('SELECT * FROM users WHERE id = ?').all(id),
    links: strip(db.query('SELECT * FROM links WHERE user_id = ? ORDER BY id').all(id) as Record<string, unknown>[]),
    schedules: db.query('SELECT s.* FROM link_schedules s JOIN links l ON l.id = s.link_id WHERE l.user_id = ? ORDER BY s.id').all(id),
    qr: db.query('SELECT * FROM qr_codes WHERE user_id = ? ORDER BY id').all(id),
    keys: db.query('SELECT * FROM api_keys WHERE user_id = ? ORDER BY id').all(id),
  });
}

const prototypes = () =>
  JSON.stringify([Object.getOwnPropertyNames(Object.prototype).sort(), Object.getOwnPropertyNames(Array.prototype).sort(), Object.getOwnPropertyNames(Function.prototype).sort()]);

async function seed(actorOf: { user: { id: number } }, tag: string) {
  const actor = await t.services.users.actorFor(await t.services.users.get(actorOf.user.id));
  const { links, qr } = t.services;
  const made = [
    await links.create(actor, { destination: `https://example.com/${tag}/plain`, title: `${tag} plain` }),
    await links.create(actor, { destination: `https://example.com/${tag}/alias`, code: `${tag}-alias-1`, password: 'correct horse' }),
    await links.create(actor, { destination: `https://example.com/${tag}/bridge`, redirectMode: 'bridge', pageTitle: 'Bridge', thumbnailUrl: 'https://example.com/t.png' }),
    await links.create(actor, { destination: `https://example.com/${tag}/ls`, source: 'linkshrink', issueDeleteToken: true, statsPrivate: true }),
    await links.create(actor, {
      destination: `https://example.com/${tag}/sched`,
      utm: { source: 'news', medium: 'email', campaign: 'fuzz' },
      schedules: [{ startsAt: Date.now() - 1000, endsAt: Date.now() + 86_400_000, destination: `https://example.com/${tag}/later` }],
    }),
  ];
  const q1 = await qr.create(actor, { name: `${tag} static`, type: 'text', content: 'hello', errorCorrection: 'M' });
  const q2 = await qr.create(actor, { name: `${tag} dynamic`, type: 'url', content: 'https://example.com', errorCorrection: 'H', linkId: made[0]!.link.id });
  await t.services.keys.create(actorOf.user.id, `${tag} spare`);
  return { ids: [...made.map((m) => m.link.id), q1.id, q2.id], codes: made.map((m) => m.link.code) };
}

/**
 * The ids and codes path parameters draw from: B's (which must stay
 * untouched) and A's live ones, topped up when earlier groups deleted them,
 * so that routes get past "not found" into their parsers.
 */
async function refreshKnown(): Promise<void> {
  const db = t.services.db.sqlite;
  const liveOfA = () => db.query<{ id: number; code: string }, [number]>('SELECT id, code FROM links WHERE user_id = ? AND deleted_at IS NULL AND is_active = 1 ORDER BY id DESC LIMIT 8').all(a.user.id);
  if (liveOfA().length < 5) await seed(a, `a${Date.now().toString(36)}`);
  const aLinks = liveOfA();
  const aQr = db.query<{ id: number }, [number]>('SELECT id FROM qr_codes WHERE user_id = ? ORDER BY id DESC LIMIT 4').all(a.user.id);
  known.ids = [...bSeed.ids, ...aLinks.map((l) => l.id), ...aQr.map((q) => q.id)];
  known.codes = [...bSeed.codes, ...aLinks.map((l) => l.code)];
}

beforeAll(async () => {
  // LOG_LEVEL error: a 500 prints its stack, which is what a failing run needs
  t = await makeTestApp({ env: { ANONYMOUS_LINKS: 'true', TRUST_PROXY: 'true', LOG_LEVEL: 'error' } });
  // the fuzz is about input, not budgets: a plan limit would turn most requests into 429s
  for (const plan of ['pro', 'enterprise']) await t.services.plans.update(plan, { rateLimitPerMinute: 100_000_000 });
  a = await t.user('enterprise');
  b = await t.user('pro');
  await seed(a, 'a');
  bSeed = await seed(b, 'b');
  const home = await t.request('GET', '/', { headers: { accept: 'text/html' } });
  publicForm.cookie = (home.headers.get('set-cookie') ?? '').split(';')[0]!;
  publicForm.token = /<meta name="csrf-token" content="([^"]+)">/.exec(await home.text())?.[1] ?? '';
  // unshorten must never leave the machine: a fake resolver and transport stand in for the internet
  t.services.unshorten = createUnshortener(
    createSafeFetcher({
      allowPrivateTargets: false,
      resolve: async () => ['93.184.215.14'],
      fetchImpl: async () => new Response('<html></html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    }),
  );
});

afterAll(async () => {
  const byStatus = [...statuses.entries()].sort((x, y) => x[0] - y[0]).map(([s, n]) => `${s}:${n}`).join(' ');
  if (process.env.FUZZ_VERBOSE) for (const [op, m] of byOperation) console.log(op, [...m].map(([s, n]) => `${s}:${n}`).join(' '));
  console.log(`api fuzz: ${tried} requests over ${ops.length} operations (${groups.size} paths × ${RUNS} runs); statuses ${byStatus}`);
  await t?.close();
});

interface FuzzRequest {
  op: FuzzOperation;
  params: { value: string; encode: boolean }[];
  query: [string, string][];
  auth: AuthChoice;
  contentType: { kind: 'match' } | { kind: 'fixed'; value: string } | { kind: 'twice'; value: string };
  headers: Record<string, string>;
  /** carry the public-form CSRF cookie and token, so the web routes get past their first check */
  csrf: boolean;
  body: FuzzBody;
}

function requestArb(groupOps: FuzzOperation[]): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...groupOps).chain((op) =>
    fc.record({
      op: fc.constant(op),
      params: fc.tuple(...op.pathParams.map((name) => pathValue(name, known))),
      query: queryFor(op),
      auth: authChoice,
      contentType: fc.oneof(
        { weight: 6, arbitrary: fc.constant({ kind: 'match' as const }) },
        { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES).map((value) => ({ kind: 'fixed' as const, value })) },
        { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES).map((value) => ({ kind: 'twice' as const, value })) },
      ),
      headers: extraHeaders,
      csrf: fc.boolean(),
      body: bodyFor(op),
    }),
  );
}

function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value; // a lone surrogate: the URL parser substitutes it
  }
}

function build(r: FuzzRequest): Request {
  let path = r.op.path;
  r.op.pathParams.forEach((name, i) => {
    const p = r.params[i]!;
    path = path.replace(`{${name}}`, p.encode ? encodeSegment(p.value) : p.value);
  });
  const qs = new URLSearchParams();
  for (const [k, v] of r.query) qs.append(encodeSegment(k) === k ? k : k.replace(/[^\x20-\x7e]/g, ''), v.replace(/[\uD800-\uDFFF]/g, ''));
  const headers = new Headers();
  for (const [k, v] of Object.entries(r.headers)) headers.set(k, v);
  if (r.auth.kind === 'bearer') headers.set('authorization', `Bearer ${a.key}`);
  else if (r.auth.kind === 'x-api-key') headers.set('x-api-key', a.key);
  else if (r.auth.kind === 'query') qs.append('api_key', a.key);
  else if (r.auth.kind === 'garbage') headers.set('authorization', r.auth.garbage ?? '');
  let fuzzBody = r.body;
  if (r.csrf) {
    headers.set('cookie', `${headers.get('cookie') ?? ''}; ${publicForm.cookie}`);
    if (fuzzBody.kind === 'form') fuzzBody = { kind: 'form', pairs: [...fuzzBody.pairs, ['_token', publicForm.token]] };
    else headers.set('x-csrf-token', publicForm.token);
  }
  const body = encodeBody(fuzzBody);
  if (r.contentType.kind === 'match') {
    const ct = contentTypeFor(r.body);
    if (ct) headers.set('content-type', ct);
  } else {
    headers.set('content-type', r.contentType.value);
    if (r.contentType.kind === 'twice') headers.append('content-type', 'application/json');
  }
  const query = qs.toString();
  return new Request(BASE + path + (query ? `?${query}` : ''), { method: r.op.method, headers, body });
}

async function check(r: FuzzRequest, before: { b: string; proto: string }): Promise<void> {
  tried++;
  const res = await t.app.handle(build(r));
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const key = `${r.op.method} ${r.op.path}`;
  const perOp = byOperation.get(key) ?? new Map<number, number>();
  perOp.set(res.status, (perOp.get(res.status) ?? 0) + 1);
  byOperation.set(key, perOp);
  const text = await res.text();
  if (process.env.FUZZ_DEBUG_OP === key) console.log(res.status, text.slice(0, 300));
  if (res.status >= 500) throw new Error(`${r.op.method} ${r.op.path} answered ${res.status}: ${text.slice(0, 300)}`);
  if (/json/i.test(res.headers.get('content-type') ?? '')) {
    try {
      JSON.parse(text);
    } catch {
      throw new Error(`${r.op.method} ${r.op.path} said JSON but sent: ${text.slice(0, 200)}`);
    }
  }
  const polluted = ({} as Record<string, unknown>).polluted ?? ([] as unknown as Record<string, unknown>).polluted;
  if (polluted !== undefined || prototypes() !== before.proto) throw new Error('a prototype was polluted');
  if (snapshotB() !== before.b) throw new Error(`${r.op.method} ${r.op.path} changed a row of user B`);
}

describe('every OpenAPI operation survives hostile input', () => {
  test('the document lists the routes of every dialect', () => {
    const tags = new Set(ops.map((o) => o.tag));
    for (const tag of ['Native (Minilnk)', 'LinkShrink', 'Linx.ly', 'lnkz', 'ShrtLnk']) expect(tags.has(tag)).toBe(true);
    expect(ops.length).toBeGreaterThanOrEqual(35);
  });

  test('every mounted route answers every method without a 5xx (HEAD, OPTIONS, the ones it lacks, invented ones)', async () => {
    const routes = (t.app as unknown as { routes: { method: string; path: string }[] }).routes;
    const paths = [...new Set(routes.map((r) => r.path.replace(/\*$/, 'x').replace(/:\w+/g, () => known.codes[0] ?? 'abc')))];
    const failures: string[] = [];
    for (const path of paths) {
      for (const method of ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'TRACE']) {
        const res = await t.app.handle(new Request(BASE + path, { method, headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' }, body: ['GET', 'HEAD'].includes(method) ? undefined : '{}' }));
        tried++;
        if (res.status >= 500) failures.push(`${method} ${path}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  for (const [path, groupOps] of groups) {
    const methods = groupOps.map((o) => o.method).join('|');
    test(
      `${methods} ${path}`,
      async () => {
        await refreshKnown();
        const before = { b: snapshotB(), proto: prototypes() };
        const out = await fc.check(fc.asyncProperty(requestArb(groupOps), (r) => check(r, before)), {
          numRuns: RUNS,
          seed: SEED,
          endOnFailure: process.env.FUZZ_SHRINK !== '1',
        });
        if (out.failed) {
          // fast-check's own report prints 70 kB strings whole; keep the counterexample readable
          const example = JSON.stringify(out.counterexample, (_k, v) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v));
          throw new Error(`FUZZ_SEED=${out.seed} (path ${out.counterexamplePath}) after ${out.numRuns} runs\n${String(out.errorInstance)}\ncounterexample: ${example}`);
        }
      },
      Math.max(60_000, RUNS * 400),
    );
  }
});
