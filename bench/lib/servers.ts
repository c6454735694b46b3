/**
 * Processes the benchmarks start: a private build of the binary, the bare
 * Bun.serve baseline, and a work folder that is removed on exit.
 *
 * Each run builds its own copy of the binary into its work folder (the build
 * takes about a second) instead of using dist/shrinkray: other people's test
 * runs rebuild that file whenever the tree changes, and a benchmark must not
 * have its binary swapped underneath it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from '../../test/helpers/binary.ts';

export function workDir(keep: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'shrinkray-bench-'));
  process.on('exit', () => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Builds the binary from the current tree into dir (or returns --binary as given). */
export function buildBinary(dir: string, given?: string): string {
  if (given) return resolve(given);
  const outfile = join(dir, 'shrinkray');
  const r = Bun.spawnSync([process.execPath, 'scripts/build.ts', '--outfile', outfile], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe', timeout: 180_000 });
  if (r.exitCode !== 0) throw new Error(`build failed (${r.exitCode}):\n${r.stdout.toString()}\n${r.stderr.toString()}`);
  return outfile;
}

/** Children to SIGKILL if the benchmark dies half-way. */
export const children = new Set<{ kill(signal?: number | NodeJS.Signals): void }>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export interface Listening {
  proc: Bun.Subprocess;
  pid: number;
  base: string;
  stop(): Promise<void>;
}

/** Starts a Bun script that prints "listening PORT" once bound to 127.0.0.1. */
export async function startScript(script: string, args: string[]): Promise<Listening> {
  const proc = Bun.spawn([process.execPath, script, ...args], { stdout: 'pipe', stderr: 'inherit' });
  children.add(proc);
  const reader = proc.stdout.getReader();
  let text = '';
  const deadline = Date.now() + 15_000;
  while (!/listening (\d+)/.test(text)) {
    if (Date.now() > deadline) throw new Error(`${script} did not start: ${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`${script} exited: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return {
    proc,
    pid: proc.pid,
    base: `http://127.0.0.1:${/listening (\d+)/.exec(text)![1]}`,
    async stop() {
      proc.kill('SIGTERM');
      await proc.exited;
      children.delete(proc);
    },
  };
}

/** bench/lib/bare-server.ts on a routes file ({code: destination}); facts: see that file. */
export const startBare = (routesFile: string, opts: { facts?: boolean; lookups?: string; store?: string } = {}) =>
  startScript(join(import.meta.dir, 'bare-server.ts'), [
    routesFile,
    ...(opts.facts ? ['--facts'] : []),
    ...(opts.lookups ? ['--lookups', opts.lookups] : []),
    ...(opts.store ? ['--store', opts.store] : []),
  ]);

/** A port that was free a moment ago (for timing a start, where PORT=0 would hide the port until the banner). */
export function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}
