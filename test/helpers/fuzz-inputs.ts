/**
 * Hostile input for the property-based API fuzz (test/fuzz). Requests are
 * built from the operations GET /openapi.json lists, so a route added to the
 * document is fuzzed without touching the test. Bodies follow the route's
 * own request schema most of the time (so the fuzz gets past "body is not an
 * object" and into the parsers and services) with hostile values spliced in
 * at every depth; the rest of the time they are junk of every other kind.
 */
import fc from 'fast-check';

export interface FuzzOperation {
  method: string;
  /** OpenAPI template, e.g. /api/v1/links/{id} */
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodySchema: JsonSchema | null;
  tag: string;
}

export interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { tags?: string[]; parameters?: { in: string; name: string }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
}

/** Every operation of the document, with what the fuzz needs to build requests for it. */
export function operationsOf(doc: OpenApiDoc): FuzzOperation[] {
  const ops: FuzzOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams,
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        bodySchema: op.requestBody?.content['application/json']?.schema ?? op.requestBody?.content['application/x-www-form-urlencoded']?.schema ?? null,
        tag: op.tags?.[0] ?? 'untagged',
      });
    }
  }
  return ops;
}

export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '../',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '....//....//',
  '\u0000',
  'abc\u0000def',
  '%00',
  'abc%00.png',
  "' OR '1'='1",
  "x'; DROP TABLE links; --",
  '1 UNION SELECT key_hash, 1 FROM api_keys --',
  '" OR ""="',
  '%',
  '%zz',
  '%E0%A4%A',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'ü漢字🙂',
  '\u202Egnp.exe',
  '\uFEFF',
  '\uD800',
  '\r\nX-Injected: 1',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'file:///etc/passwd',
  'http://127.0.0.1/',
  'http://[::1]/',
  'http://169.254.169.254/latest/meta-data/',
  'http://2130706433/',
  'http://0x7f.1/',
  'http://localhost:8080/',
  'https://example.com/' + 'a'.repeat(3000),
  'a'.repeat(70_000),
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e308',
  '9007199254740993',
  '00000000000000000000001',
  'null',
  'true',
  '[]',
  '{}',
  '2025-13-45 25:61:61',
  '0000-00-00',
  '9999-12-31T23:59:59Z',
];

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

/** Any JSON value a client could send where something else is expected. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 0.5, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 64, 2147483648) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [[]], [null], ['a', 1, null], { a: { b: { c: [] } } }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Adds own `__proto__` / `constructor` keys, the shapes prototype-pollution payloads take. */
function withPollutionKeys(obj: Record<string, unknown>, which: number): Record<string, unknown> {
  const out = { ...obj };
  const payload = { polluted: 'yes', isAdmin: true, userId: 1 };
  if (which === 1) Object.defineProperty(out, '__proto__', { value: payload, enumerable: true, configurable: true, writable: true });
  if (which === 2) out['constructor'] = { prototype: payload };
  if (which === 3) out.prototype = payload;
  return out;
}

function stringFor(s: JsonSchema, name: string): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.max(min, Math.min(s.maxLength ?? 60, 60));
  if (s.format === 'integer') return fc.integer({ min: -5, max: 40_000_000 }).map(String);
  if (/^ip(_address)?$/.test(name)) return fc.oneof(fc.ipV4(), fc.ipV6());
  if (/url/i.test(name) || s.format === 'uri') {
    return fc.oneof(
      fc.constantFrom('https://example.com/', 'https://example.org/a/b?c=d#e', 'http://example.net', 'example.com/path', 'https://xn--bcher-kva.example/ü'),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
    );
  }
  if (s.format === 'date-time' || /_at$|At$/.test(name)) {
    return fc.oneof(
      fc.date({ min: new Date('1969-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2099-12-31 23:59:59', '2000-01-01 00:00:00', '2099-01-01T00:00:00+14:00'),
    );
  }
  if (s.maxLength !== undefined && !s.pattern) {
    // at, just under and just over the limit, in characters of 1 to 4 UTF-8 bytes and 1 or 2 UTF-16 units:
    // limits counted in the wrong unit, and payloads that fit the limit but not what they feed (a QR symbol)
    const atLimit = fc
      .tuple(fc.constantFrom('a', 'я', '漢', '😀'), fc.constantFrom(s.maxLength - 1, s.maxLength, s.maxLength + 1))
      .map(([unit, n]) => unit.repeat(Math.max(0, n)));
    return fc.oneof({ weight: 6, arbitrary: plainString(s, name, min, max) }, { weight: 1, arbitrary: atLimit });
  }
  return plainString(s, name, min, max);
}

function plainString(s: JsonSchema, name: string, min: number, max: number): fc.Arbitrary<string> {
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).map((v) => v.slice(0, max));
    } catch {
      // fall through to a plain string
    }
  }
  return fc.string({ minLength: min, maxLength: max });
}

/** A value following the schema, with a hostile value in its place one time in seven. */
export function fromSchema(s: JsonSchema, name = '', depth = 0): fc.Arbitrary<unknown> {
  let valid: fc.Arbitrary<unknown>;
  if (s.anyOf?.length) valid = fc.oneof(...s.anyOf.map((x) => fromSchema(x, name, depth + 1)));
  else if (s.const !== undefined) valid = fc.constant(s.const);
  else if (s.type === 'string') valid = stringFor(s, name);
  else if (s.type === 'integer') valid = fc.integer({ min: s.minimum ?? -10, max: s.maximum ?? 10_000 });
  else if (s.type === 'number') valid = fc.oneof(fc.integer({ min: s.minimum ?? -10, max: s.maximum ?? 10_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
  else if (s.type === 'boolean') valid = fc.boolean();
  else if (s.type === 'null') valid = fc.constant(null);
  else if (s.type === 'array') valid = fc.array(s.items ? fromSchema(s.items, name, depth + 1) : hostileValue, { maxLength: Math.min(s.maxItems ?? 5, 5) });
  else if (s.type === 'object' && s.properties && depth < 4) {
    const model = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, fromSchema(v, k, depth + 1)]));
    const required = (s.required ?? []).filter((k) => k in model);
    // required keys present most of the time, so requests get past "field is required"
    const known = fc.oneof({ weight: 4, arbitrary: fc.record(model, { requiredKeys: required }) }, { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) });
    valid = fc
      .tuple(known, fc.dictionary(hostileString, hostileValue, { maxKeys: 2 }), fc.nat(6))
      .map(([fields, extra, which]) => withPollutionKeys({ ...extra, ...fields }, which));
  } else valid = hostileValue;
  return depth === 0 ? valid : fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: hostileValue });
}

export type FuzzBody =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array<ArrayBuffer> }
  | { kind: 'form'; pairs: [string, string][] };

const nested = (n: number, open: string, close: string, inner: string) => open.repeat(n) + inner + close.repeat(n);

/** Bodies that are not what any route expects: junk, traps for parsers, sizes around the cap. */
export const junkBody: fc.Arbitrary<FuzzBody> = fc.oneof(
  fc.constant<FuzzBody>({ kind: 'none' }),
  fc.jsonValue({ maxDepth: 4 }).map((value): FuzzBody => ({ kind: 'json', value })),
  hostileValue.map((value): FuzzBody => ({ kind: 'json', value })),
  fc.constantFrom<FuzzBody>(
    { kind: 'raw', text: '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}' },
    { kind: 'raw', text: '{"a": 1,}' },
    { kind: 'raw', text: '{"url": "https://example.com", "url": "http://127.0.0.1"}' },
    { kind: 'raw', text: '\uFEFF{"url": "https://example.com"}' },
    { kind: 'raw', text: '{"url": "https://example.com/\\u0000"}' },
    { kind: 'raw', text: 'null' },
    { kind: 'raw', text: '"just a string"' },
    { kind: 'raw', text: '123' },
    { kind: 'raw', text: '[{"url": "https://example.com"}]' },
    { kind: 'raw', text: nested(20_000, '[', ']', '') },
    { kind: 'raw', text: nested(20_000, '{"a":', '}', '1') },
    { kind: 'raw', text: `{"url": "https://example.com/${'x'.repeat(1024 * 1024)}"}` },
    { kind: 'raw', text: `{"title": "${'é'.repeat(300_000)}", "url": "https://example.com"}` },
    { kind: 'raw', text: 'url=https%3A%2F%2Fexample.com&url=x&__proto__[polluted]=yes&constructor[prototype][polluted]=yes' },
    { kind: 'raw', text: '--boundary\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttps://example.com\r\n--boundary--' },
  ),
  fc.string({ unit: 'binary', maxLength: 200 }).map((text): FuzzBody => ({ kind: 'raw', text })),
  fc.uint8Array({ maxLength: 200 }).map((bytes): FuzzBody => ({ kind: 'bytes', bytes: new Uint8Array(bytes) })),
  fc.array(fc.tuple(fc.oneof(hostileString, fc.constantFrom('url', 'original_url', '__proto__', 'constructor[prototype][x]', '_token', 'password')), hostileString.map(String)), { maxLength: 6 }).map(
    (pairs): FuzzBody => ({ kind: 'form', pairs }),
  ),
);

/** The route's own shape most of the time (as JSON or, where it makes sense, a form), junk otherwise. */
export function bodyFor(op: FuzzOperation): fc.Arbitrary<FuzzBody> {
  if (op.method === 'GET' || op.method === 'HEAD') return fc.constant<FuzzBody>({ kind: 'none' });
  if (!op.bodySchema) return junkBody;
  const shaped = fromSchema(op.bodySchema);
  const asForm = shaped.map((value): FuzzBody => ({
    kind: 'form',
    pairs: value && typeof value === 'object' ? Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? '']) : [],
  }));
  return fc.oneof(
    { weight: 6, arbitrary: shaped.map((value): FuzzBody => ({ kind: 'json', value })) },
    { weight: 1, arbitrary: asForm },
    { weight: 3, arbitrary: junkBody },
  );
}

/** Header values a client can actually send (Latin-1 without CR, LF or NUL), hostile within that. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e\xa0-\xff\t]/g, '');
export const headerValue = fc.oneof(
  fc.constantFrom('', ' ', 'null', 'Bearer', 'Bearer ', 'Bearer  ', 'bearer sr_', 'Basic YWRtaW46YWRtaW4=', "Bearer ' OR 1=1 --", 'Bearer ' + 'A'.repeat(10_000), 'Bearer sr_\xff\xfe', 'Token abc', 'Bearer a b c'),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }).map(headerSafe),
);

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=boundary',
  'text/plain',
  'application/xml',
  'application/json, application/json',
  'application/json, application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  '',
  '*/*',
  'garbage',
] as const;

export interface AuthChoice {
  kind: 'bearer' | 'x-api-key' | 'query' | 'garbage' | 'none';
  garbage?: string;
}

export const authChoice: fc.Arbitrary<AuthChoice> = fc.oneof(
  { weight: 10, arbitrary: fc.constant<AuthChoice>({ kind: 'bearer' }) },
  { weight: 2, arbitrary: fc.constant<AuthChoice>({ kind: 'x-api-key' }) },
  { weight: 2, arbitrary: fc.constant<AuthChoice>({ kind: 'query' }) },
  { weight: 3, arbitrary: headerValue.map((garbage): AuthChoice => ({ kind: 'garbage', garbage })) },
  { weight: 1, arbitrary: fc.constant<AuthChoice>({ kind: 'none' }) },
);

/** Extra headers a hostile or broken client sends. */
export const extraHeaders = fc.record(
  {
    accept: fc.constantFrom('application/json', 'text/html', '*/*', '', 'application/json;q=0, text/html', 'image/png'),
    'x-forwarded-for': fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('unknown', '127.0.0.1, 10.0.0.1', '::ffff:127.0.0.1', '999.999.999.999', '')),
    'x-csrf-token': headerValue,
    'hx-request': fc.constantFrom('true', 'false'),
    'user-agent': fc.oneof(fc.constantFrom('', 'curl/8.0', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36', 'Twitterbot/1.0'), headerValue),
    referer: fc.oneof(fc.constantFrom('https://news.example.com/item?id=1', 'javascript:alert(1)', '"><script>alert(1)</script>'), headerValue),
    cookie: fc.constantFrom('shrinkray_session=abc', 'shrinkray_csrf=' + 'x'.repeat(30), 'a=b; c', ''),
    'content-length': fc.constantFrom('0', '99999999999', '-1', 'abc'),
  },
  { requiredKeys: [] },
);

/** Values for one path parameter: real ids and codes (the caller's and another user's), and hostile ones. */
export function pathValue(name: string, known: { ids: number[]; codes: string[] }): fc.Arbitrary<{ value: string; encode: boolean }> {
  const real =
    name === 'id'
      ? fc.constantFrom(...known.ids.map(String))
      : name === 'file'
        ? fc.tuple(fc.constantFrom(...known.codes), fc.constantFrom('.png', '.svg', '.gif', '', '.png.svg', '%00.png')).map(([c, ext]) => c + ext)
        : name === 'format'
          ? fc.constantFrom('svg', 'png', 'SVG', 'gif', '')
          : fc.constantFrom(...known.codes);
  const numeric = fc.oneof(fc.integer().map(String), fc.constantFrom('0', '-1', '1.5', '1e3', '0x10', '99999999999999999999999', '00001', ' 1', '1 '));
  const value = fc.oneof(
    { weight: 4, arbitrary: real },
    { weight: 2, arbitrary: numeric },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/) },
    { weight: 4, arbitrary: hostileString },
  );
  return fc.tuple(value, fc.boolean()).map(([v, encode]) => ({ value: v, encode }));
}

/** Plausible values for the query parameters the dialects take, so requests reach past the first check. */
function queryValueFor(name: string): fc.Arbitrary<string> {
  switch (name) {
    case 'url':
      return fc.oneof(fc.constantFrom('https://example.com/', 'http://bit.example/x', 'http://127.0.0.1/', 'http://[::ffff:7f00:1]/'), fc.webUrl());
    case 'page':
    case 'per_page':
    case 'size':
      return fc.integer({ min: -2, max: 2000 }).map(String);
    case 'from':
    case 'to':
      return fc.date({ min: new Date('1999-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'sort_column':
      return fc.constantFrom('id', 'short_code', 'destination_url', 'status', 'clicks_count', 'created_at', 'updated_at', 'nope');
    case 'sort_type':
      return fc.constantFrom('asc', 'desc', 'ASC', 'sideways');
    case 'format':
      return fc.constantFrom('csv', 'json', 'CSV', 'xml');
    case 'fg':
    case 'bg':
      return fc.constantFrom('000000', '#ff00aa', 'fff', 'zzzzzz');
    default:
      return fc.string({ maxLength: 30 });
  }
}

/** The query string: the route's own parameters with hostile values, repeats, and keys nobody asked for. */
export function queryFor(op: FuzzOperation): fc.Arbitrary<[string, string][]> {
  const own = op.queryParams.map((name) => fc.tuple(fc.constant(name), fc.oneof({ weight: 3, arbitrary: queryValueFor(name) }, { weight: 2, arbitrary: hostileString })));
  const other = fc.tuple(
    fc.oneof(fc.constantFrom('__proto__', 'constructor', '__proto__[polluted]', 'constructor[prototype][polluted]', 'api_key', 'token', 'delete_token', 'page', 'per_page'), hostileString),
    fc.oneof(hostileString, fc.integer().map(String), fc.constantFrom('1', '2', '100', 'asc', 'desc', 'csv', 'json', 'https://example.com')),
  );
  const pair = own.length ? fc.oneof({ weight: 4, arbitrary: fc.oneof(...own) }, { weight: 1, arbitrary: other }) : other;
  return fc.array(pair, { maxLength: 5 });
}

export const contentTypeFor = (body: FuzzBody) =>
  body.kind === 'form' ? 'application/x-www-form-urlencoded' : body.kind === 'json' ? 'application/json' : null;

export function encodeBody(body: FuzzBody): BodyInit | undefined {
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'json':
      return JSON.stringify(body.value) ?? 'null';
    case 'raw':
      return body.text;
    case 'bytes':
      return body.bytes;
    case 'form':
      return new URLSearchParams(body.pairs).toString();
  }
}
