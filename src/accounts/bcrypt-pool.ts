/**
 * Runs bcryptjs on its own thread (bcrypt-worker.ts), started at the first
 * password and shared by every app in the process. The thread keeps the
 * process alive only while a job is pending, so a CLI command still exits,
 * and it ends after a minute without work (it holds ~12 MB of memory that an
 * appliance whose users rarely sign in should not keep).
 * Should the thread die, its pending jobs and the next ones run here, on the
 * calling thread (slower for everyone, but no password operation fails), and
 * a later job starts a new thread.
 */
import bcrypt from 'bcryptjs';
import { inCompiledBinary } from '../compiled.ts';

type Job = { op: 'hash'; plain: string; cost: number } | { op: 'compare'; plain: string; hash: string };
export type BcryptJob = Job & { id: number };
export type BcryptReply = { id: number; value: string | boolean } | { id: number; error: string };

type Pending = { job: BcryptJob; resolve: (value: string | boolean) => void; reject: (e: Error) => void };
// Bun's Worker holds the process open unless unref'd; the DOM typing lacks both methods
type BunWorker = Worker & { ref(): void; unref(): void };

/** As the flush worker: beside this file from source, under the entrypoints' root (src/) in the binary. */
const workerUrl = () => new URL(inCompiledBinary(import.meta.url) ? './accounts/bcrypt-worker.ts' : './bcrypt-worker.ts', import.meta.url).href;

const IDLE_MS = 60_000;

let worker: BunWorker | null = null;
let idleTimer: ReturnType<typeof setTimeout> | null = null;
let failures = 0;
let seq = 0;
const pending = new Map<number, Pending>();

const runHere = (job: BcryptJob): Promise<string | boolean> =>
  job.op === 'hash' ? bcrypt.hash(job.plain, job.cost) : bcrypt.compare(job.plain, job.hash);

function abandon(dead: BunWorker) {
  if (worker !== dead) return;
  worker = null;
  failures++;
  dead.terminate();
  const stranded = [...pending.values()];
  pending.clear();
  for (const p of stranded) runHere(p.job).then(p.resolve, p.reject);
}

function spawn(): BunWorker | null {
  // a thread that cannot start (or keeps dying) is not retried forever: the calling thread does the work
  if (failures >= 3) return null;
  let w: BunWorker;
  try {
    w = new Worker(workerUrl()) as BunWorker;
  } catch {
    failures++;
    return null;
  }
  w.onmessage = (event: MessageEvent<BcryptReply>) => {
    const reply = event.data;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) idle(w);
    if ('error' in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.value);
  };
  w.onerror = () => abandon(w);
  w.addEventListener('close', () => abandon(w));
  return w;
}

function idle(w: BunWorker) {
  w.unref();
  idleTimer = setTimeout(() => {
    if (worker !== w || pending.size > 0) return;
    worker = null; // before terminate(), so its close is not taken for a crash
    w.terminate();
  }, IDLE_MS);
  idleTimer.unref?.();
}

function run(job: Job): Promise<string | boolean> {
  const full: BcryptJob = { ...job, id: ++seq };
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  worker ??= spawn();
  if (!worker) return runHere(full);
  const w = worker;
  return new Promise((resolve, reject) => {
    pending.set(full.id, { job: full, resolve, reject });
    w.ref();
    w.postMessage(full);
  });
}

export const bcryptHash = (plain: string, cost: number) => run({ op: 'hash', plain, cost }) as Promise<string>;

export const bcryptCompare = (plain: string, hash: string) => run({ op: 'compare', plain, hash }) as Promise<boolean>;

/** Jobs handed to the thread and not yet answered (tests wait on it to act while a comparison runs). */
export const bcryptJobsPending = () => pending.size;
