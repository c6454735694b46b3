/**
 * What the crash and soak tests share: the compiled binary copied alone into
 * an empty folder (as an operator would run it), provisioned through its own
 * CLI, and a small load generator of concurrent loops that stop on a flag.
 * Everything talks to 127.0.0.1 only.
 */
import { Database } from 'bun:sqlite';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ensureBinary, lastLine, runProcess, startServer, type ServerProcess } from '../helpers/binary.ts';

export interface Appliance {
  dir: string;
  bin: string;
  env: Record<string, string>;
  cli(...args: string[]): ReturnType<typeof runProcess>;
  serve(): Promise<ServerProcess>;
  /** a connection to the appliance's database file; close it when done */
  open(): Database;
  cleanup(): Promise<void>;
}

export const PASSWORD = 'correct horse battery';

/** A fresh folder holding only the binary; LOG_LEVEL warn so the access log does not cost the load anything. */
export function appliance(extraEnv: Record<string, string> = {}): Appliance {
  const built = ensureBinary();
  const dir = mkdtempSync(join(tmpdir(), 'shrinkray-faults-'));
  const bin = join(dir, 'shrinkray');
  copyFileSync(built, bin);
  const env = cleanEnv({ PORT: '0', LOG_LEVEL: 'warn', ...extraEnv });
  const servers: ServerProcess[] = [];
  return {
    dir,
    bin,
    env,
    cli: (...args) => runProcess([bin, ...args], { cwd: dir, env }),
    async serve() {
      const s = await startServer([bin, 'serve'], { cwd: dir, env });
      servers.push(s);
      return s;
    },
    open: () => new Database(join(dir, 'data', 'shrinkray.db')),
    async cleanup() {
      for (const s of servers) await s.stop('SIGKILL', 2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A user on a plan whose per-key budget does not get in the way of the load; returns the API key. */
export async function provision(app: Appliance, email: string, plan = 'pro'): Promise<string> {
  const steps = [
    ['plan', 'set', plan, '--rate-limit', '100000000', '--max-links', 'unlimited'],
    ['user', 'create', '--email', email, '--password', PASSWORD, '--plan', plan],
    ['key', 'create', '--email', email],
  ];
  let out = '';
  for (const args of steps) {
    const r = await app.cli(...args);
    if (r.code !== 0) throw new Error(`${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    out = r.stdout;
  }
  return lastLine(out);
}

/** Concurrent loops that run until stop() (or their own end); errors are counted, never thrown. */
export function loops(n: number, body: (worker: number) => Promise<boolean | void>) {
  let stopped = false;
  let errors = 0;
  const done = Promise.all(
    Array.from({ length: n }, async (_, worker) => {
      while (!stopped) {
        try {
          if ((await body(worker)) === false) return;
        } catch {
          errors++;
          // a refused connection answers at once: don't spin
          await Bun.sleep(5);
        }
      }
    }),
  );
  return {
    stop() {
      stopped = true;
      return done;
    },
    done,
    get errors() {
      return errors;
    },
  };
}

/** VmRSS of a process in kB (Linux). */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
}
