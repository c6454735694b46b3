/**
 * Settings of the runtime itself, which JavaScriptCore reads from the
 * environment once, when the process starts: too late for the process to
 * give them to itself. main.ts restarts the process in place (execve: same
 * PID, same arguments, stdin/stdout/stderr) with the ones missing, before any
 * of the application is loaded; an operator's own value is always kept.
 * Bun's execve closes every other inherited descriptor, so a process handed
 * more (an IPC channel, systemd's sockets) is not restarted. Only the server
 * is: a one-shot command (a healthcheck every few seconds, a backup) would pay
 * a second runtime start for a collector pacing it never needs.
 *
 * BUN_JSC_forceRAMSize: JSC lets a heap grow between collections by a factor
 * chosen from the machine's RAM: 2x while the heap is under a quarter of it,
 * which on any machine with gigabytes means always. Under redirect load the
 * request thread allocates ~600 bytes a request (Bun's request and response
 * objects), so its heap swung 18 -> 47 MB between collections, the flush
 * worker's likewise, and the process peaked at 177-199 MB (1M links, random
 * codes). Sized as in a 128 MB container, a heap grows by 1.5x once the
 * process's footprint passes 32 MB and by 1.24x past 64 MB: peak 149-168 MB
 * then, 131-137 MB now, for more frequent full collections on the request
 * thread (docs/performance.md, eighth round).
 * Only the collector's pacing changes: no limit is set, a heap that needs
 * more still gets it. BUN_JSC_forceRAMSize=0 restores JSC's own sizing.
 */
import { parseCommand } from './command-line.ts';
import { inCompiledBinary } from './compiled.ts';

export const RUNTIME_DEFAULTS: Readonly<Record<string, string>> = {
  BUN_JSC_forceRAMSize: String(128 * 1024 * 1024),
};

// descriptors a parent passes beyond 0-2, which a restart would close under them
const INHERITED_FDS = ['NODE_CHANNEL_FD', 'LISTEN_FDS'];

/** Whether the arguments left after the configuration flags run the server (a usage error does not). */
function serves(command: readonly string[]): boolean {
  try {
    return parseCommand([...command]).name === 'serve';
  } catch {
    return false;
  }
}

/**
 * The environment to restart with, or null: when every setting is already there (set by the operator,
 * or by the restart), or when `command` (the arguments left after the configuration flags) does not
 * run the server.
 */
export function restartEnv(env: Record<string, string | undefined>, command: readonly string[] = []): Record<string, string> | null {
  if (!serves(command) || INHERITED_FDS.some((name) => env[name] !== undefined)) return null;
  const missing = Object.entries(RUNTIME_DEFAULTS).filter(([name]) => env[name] === undefined);
  if (missing.length === 0) return null;
  const next: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) next[name] = value;
  for (const [name, value] of missing) next[name] = value;
  return next;
}

/**
 * The argument vector that starts this same program again. The compiled binary
 * is its own program (its argv[1] is the embedded entry, /$bunfs/...); from
 * source it is `bun [runtime flags] src/main.ts ...`.
 */
export function restartArgv(proc: { execPath: string; execArgv: string[]; argv: string[] }): string[] {
  return inCompiledBinary(proc.argv[1] ?? '') ? [proc.execPath, ...proc.argv.slice(2)] : [proc.execPath, ...proc.execArgv, ...proc.argv.slice(1)];
}
