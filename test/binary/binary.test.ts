/**
 * The compiled appliance, copied alone into an empty folder: if migrations,
 * the GeoIP database or anything else were read from the source tree rather
 * than embedded, this is where it shows. One scenario, in order, because each
 * step builds on the state the last one left in the folder's ./data.
 */
import { Database } from 'bun:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { copyFileSync, existsSync, lutimesSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSER_UA, cleanEnv, ensureBinary, lastLine, runProcess, startServer, type ServerProcess } from '../helpers/binary.ts';

let dir = '';
let bin = '';
const servers: ServerProcess[] = [];
// behind a proxy, so a click can come from an address with a country
const env = cleanEnv({ PORT: '0', TRUST_PROXY: 'true' });
const geoipFiles = () => readdirSync(join(dir, 'data')).filter((f) => f.startsWith('geoip-'));

const cli = (...args: string[]) => runProcess([bin, ...args], { cwd: dir, env });
async function serve() {
  const s = await startServer([bin, 'serve'], { cwd: dir, env });
  servers.push(s);
  return s;
}

beforeAll(() => {
  const built = ensureBinary();
  dir = mkdtempSync(join(tmpdir(), 'shrinkray-bin-'));
  bin = join(dir, 'shrinkray');
  copyFileSync(built, bin);
}, 180_000);

afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL', 2000);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('compiled binary alone in an empty folder', () => {
  let key = '';
  let linkId = 0;
  let code = '';

  test('first start prints the admin credentials once; the CLI works beside the running server', async () => {
    // what an older binary would have left: a GeoIP copy of other data
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'geoip-iptoasn-country-0ld0ld0l.mmdb'), 'stale');
    const server = await serve();
    expect(server.output()).toContain('email:     admin@');
    expect(server.output()).toMatch(/password: +\S{8,}/);
    expect(server.output()).toContain('/dashboard');
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);

    const created = await cli('user', 'create', '--email', 'a@b.c', '--password', 'correct horse battery', '--plan', 'pro');
    expect(created).toMatchObject({ code: 0 });
    const keyRun = await cli('key', 'create', '--email', 'a@b.c');
    expect(keyRun.code).toBe(0);
    key = lastLine(keyRun.stdout);
    expect(key).toMatch(/^sr_[A-Za-z0-9_-]{20,}$/);

    const healthy = await cli('healthcheck', '--port', String(server.port));
    expect(healthy.code).toBe(0);
  });

  test('a link created over the API redirects, and its click survives a SIGTERM', async () => {
    const server = servers.at(-1)!;
    const res = await fetch(`${server.base}/api/v1/links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ original_url: 'https://example.com/x' }),
    });
    expect(res.status).toBe(201);
    const link = (await res.json()) as { id: number; short_code: string };
    expect(link.short_code).toMatch(/^[A-Za-z0-9_-]{3,32}$/);
    linkId = link.id;
    code = link.short_code;

    const hop = await fetch(`${server.base}/${code}`, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA, 'x-forwarded-for': '8.8.8.8' } });
    expect(hop.status).toBe(302);
    expect(hop.headers.get('location')).toBe('https://example.com/x');

    // the click is only queued in memory now; the flush-on-shutdown must write it
    expect(await server.stop('SIGTERM')).toBe(0);
    // the start names the version and the data folder; the end says it finished (not a hang)
    expect(server.output()).toMatch(/shrinkray listening on http:\/\/\S+ \(BASE_URL \S+, version \d+\.\d+\.\d+, data \/\S+\/data\)/);
    expect(server.output().trimEnd().split('\n').at(-1)).toBe('shrinkray stopped: every queued click was written');
  });

  test('after a restart the click is counted with its country, and no second admin is printed', async () => {
    // the embedded GeoIP data, written out once to be memory-mapped; the stale copy is gone
    const [geoip, ...others] = geoipFiles();
    expect(others).toEqual([]);
    expect(geoip).toMatch(/^geoip-iptoasn-country-\w+\.mmdb$/);
    const written = statSync(join(dir, 'data', geoip!));
    expect(written.size).toBeGreaterThan(1_000_000);

    const server = await serve();
    expect(server.output()).not.toContain('email:     admin@');
    const res = await fetch(`${server.base}/api/v1/links/${linkId}/analytics`, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { summary: { total_clicks: number }; breakdown: { countries: { country_code: string | null; count: number }[] } };
    expect(body.summary.total_clicks).toBe(1);
    expect(body.breakdown.countries).toEqual([expect.objectContaining({ country_code: 'US', count: 1 })]);
    // a restart maps the copy it finds instead of writing it again
    expect(geoipFiles()).toEqual([geoip!]);
    expect(statSync(join(dir, 'data', geoip!)).mtimeMs).toBe(written.mtimeMs);
  });

  test('backup FILE writes a readable SQLite copy while the server runs, and never overwrites', async () => {
    const first = await cli('backup', 'copy.db');
    expect(first.code).toBe(0);
    const copy = new Database(join(dir, 'copy.db'), { readonly: true });
    try {
      expect(copy.query<{ n: number }, []>('SELECT count(*) AS n FROM links').get()!.n).toBe(1);
      expect(copy.query<{ c: string }, []>('SELECT code AS c FROM links').get()!.c).toBe(code);
    } finally {
      copy.close();
    }
    const again = await cli('backup', 'copy.db');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect(existsSync(join(dir, 'data', 'shrinkray.db'))).toBe(true);

    expect(await servers.at(-1)!.stop('SIGINT')).toBe(0);
  });

  test('a .env or .env.local beside the binary is not read: configuration is the environment and flags', async () => {
    for (const name of ['.env', '.env.local']) {
      writeFileSync(join(dir, name), 'BASE_URL=ftp://not-an-origin\n');
      try {
        const r = await cli('healthcheck');
        expect([name, r.stderr]).not.toEqual([name, expect.stringContaining('BASE_URL')]);
        expect(r.stderr).toContain('unhealthy');
      } finally {
        rmSync(join(dir, name));
      }
    }
  });

  test('the server runs with its runtime settings, in the process it was started as; an operator value is kept', async () => {
    const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const server = await serve();
    // the same PID: restarted in place (execve), not a child left behind a parent
    expect(environ(server.proc.pid)).toContain('BUN_JSC_forceRAMSize=134217728');
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect(await server.stop('SIGTERM')).toBe(0);

    const own = await startServer([bin, 'serve'], { cwd: dir, env: { ...env, BUN_JSC_forceRAMSize: '0' } });
    servers.push(own);
    expect(environ(own.proc.pid)).toContain('BUN_JSC_forceRAMSize=0');
    // a closed terminal (SIGHUP) shuts down as SIGTERM does, not killed with its click queue
    expect(await own.stop('SIGHUP')).toBe(0);

    // started under nohup, SIGHUP (an SSH logout) stays ignored: the server keeps serving
    const hupless = await startServer(['nohup', bin, 'serve'], { cwd: dir, env });
    servers.push(hupless);
    hupless.proc.kill('SIGHUP');
    await Bun.sleep(300);
    expect((await fetch(`${hupless.base}/healthz`)).status).toBe(200);
    expect(await hupless.stop('SIGTERM')).toBe(0);
  });

  test('a GeoIP copy that does not open is written again, and a symlink left at a temporary name is removed, not followed', async () => {
    const [geoip] = geoipFiles();
    const file = join(dir, 'data', geoip!);
    // same size, so only opening it can tell: before, every start failed on such a copy
    writeFileSync(file, Buffer.alloc(statSync(file).size));
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'keep me');
    const planted = join(dir, 'data', `${geoip}.4242.partial`);
    symlinkSync(outside, planted);
    lutimesSync(planted, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));

    const server = await serve();
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect(geoipFiles()).toEqual([geoip!]);
    expect(readFileSync(file).includes(Buffer.from('\xAB\xCD\xEFMaxMind.com', 'latin1'))).toBe(true);
    expect(readFileSync(outside, 'utf8')).toBe('keep me');
    expect(await server.stop('SIGTERM')).toBe(0);
  });

  test('a GeoIP copy damaged mid-file, which still opens, is written again rather than answering wrong countries', async () => {
    const [geoip] = geoipFiles();
    const file = join(dir, 'data', geoip!);
    const good = readFileSync(file);
    const damaged = Buffer.from(good);
    damaged.fill(0x5a, damaged.length >> 1, (damaged.length >> 1) + 4096);
    writeFileSync(file, damaged);

    const server = await serve();
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(geoipFiles()).toEqual([geoip!]);
    expect(readFileSync(file).equals(good)).toBe(true);
  });

  test('a SIGTERM while the server is still starting waits for the start and keeps the clicks it already took', async () => {
    const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
    const port = probe.port;
    probe.stop(true);
    const proc = Bun.spawn([bin, 'serve'], { cwd: dir, env: { ...env, PORT: String(port) }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
    let output = '';
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) output += new TextDecoder().decode(chunk);
    };
    const pumped = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
    // redirects are answered from the moment the port is open, before the start has finished
    const deadline = Date.now() + 10_000;
    let redirected = false;
    while (!redirected && Date.now() < deadline) {
      try {
        const hop = await fetch(`http://127.0.0.1:${port}/${code}`, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
        redirected = hop.status === 302;
      } catch {
        await Bun.sleep(1); // not listening yet
      }
    }
    expect(redirected).toBe(true);
    proc.kill('SIGTERM');
    const exited = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => 'timeout' as const)]);
    if (exited === 'timeout') proc.kill('SIGKILL');
    await pumped;
    expect(exited).toBe(0);
    expect(output).toContain('SIGTERM: writing queued clicks');

    const server = await serve();
    const res = await fetch(`${server.base}/api/v1/links/${linkId}/analytics`, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
    expect(((await res.json()) as { summary: { total_clicks: number } }).summary.total_clicks).toBe(2);
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});
