/**
 * Helpers for driving shrinkray as a separate process: the compiled binary
 * (test/binary, bench/) or `bun src/main.ts` (test/integration/cli.test.ts).
 *
 * Children get a clean environment, never the caller's, so a PORT or DATA_DIR
 * exported in a developer's shell cannot leak into a test. Every wait is
 * bounded; a child that does not answer in time is killed and the test fails.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dir, '../..');
export const BINARY = join(ROOT, 'dist/shrinkray');
/** a desktop browser: bots (curl, unfurlers) are left out of click counts */
export const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** what the binary embeds: a change to any of these makes dist/shrinkray stale */
const INPUTS = ['src', 'views', 'public', 'drizzle', 'package.json', 'package-lock.json', 'scripts/build.ts'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

export function binaryIsStale(): boolean {
  if (!existsSync(BINARY)) return true;
  const built = statSync(BINARY).mtimeMs;
  return INPUTS.some((p) => newestMtime(join(ROOT, p)) > built);
}

/** Builds dist/shrinkray unless it is newer than everything it embeds. */
export function ensureBinary(): string {
  if (!binaryIsStale()) return BINARY;
  const r = Bun.spawnSync([process.execPath, 'scripts/build.ts'], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe', timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`build failed (${r.exitCode}):\n${r.stdout.toString()}\n${r.stderr.toString()}`);
  return BINARY;
}

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', OG_FETCH: 'false', HOST: '127.0.0.1' };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return { ...env, ...extra };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command to completion (killed after timeoutMs). */
export async function runProcess(cmd: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: opts.env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', timeout: opts.timeoutMs ?? 20_000 });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

export const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';

export interface ServerProcess {
  proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>;
  port: number;
  base: string;
  /** everything printed so far, stdout and stderr interleaved as read */
  output(): string;
  /** sends the signal and waits for the exit code (kills with SIGKILL after timeoutMs) */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number>;
}

const LISTENING = /shrinkray listening on http:\/\/[^\s:]+:(\d+)/;

/** Starts `serve` and resolves once it prints its listening line. */
export async function startServer(cmd: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<ServerProcess> {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: opts.env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  let text = '';
  let notify = () => {};
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      // an access log under load would grow without bound: keep the head (banner, credentials) and the tail
      if (text.length > 2_000_000) text = `${text.slice(0, 16_384)}\n[…]\n${text.slice(-500_000)}`;
      notify();
    }
  };
  void pump(proc.stdout);
  void pump(proc.stderr);

  const deadline = opts.timeoutMs ?? 15_000;
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => fail(`no listening line within ${deadline} ms`), deadline);
    const fail = (why: string) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`${why}; output:\n${text}`));
    };
    notify = () => {
      const m = LISTENING.exec(text);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    proc.exited.then((code) => fail(`server exited with ${code} before listening`));
    notify();
  });

  return {
    proc,
    port,
    base: `http://127.0.0.1:${port}`,
    output: () => text,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode ?? -1;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const code = await proc.exited;
      clearTimeout(timer);
      return code;
    },
  };
}
