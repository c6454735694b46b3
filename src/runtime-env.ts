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
 * codes). Sized as in a 128 MB container, heaps past 32 MB grow by 1.5x and
 * past 64 MB by 1.24x: same throughput and p99, peak 149-168 MB (docs/performance.md).
 * Only the collector's pacing changes: no limit is set, a heap that needs
 * more still gets it. BUN_JSC_forceRAMSize=0 restores JSC's own sizing.
 */
export const RUNTIME_DEFAULTS: Readonly<Record<string, string>> = {
  BUN_JSC_forceRAMSize: String(128 * 1024 * 1024),
};

// descriptors a parent passes beyond 0-2, which a restart would close under them
const INHERITED_FDS = ['NODE_CHANNEL_FD', 'LISTEN_FDS'];

/**
 * The environment to restart with, or null: when every setting is already there (set by the operator,
 * or by the restart), or when `command` (the arguments left after the configuration flags) is not the
 * server's — cli.ts's parseCommand: no command or `serve`, and no --help.
 */
export function restartEnv(env: Record<string, string | undefined>, command: readonly string[] = []): Record<string, string> | null {
  const serving = (command[0] === undefined || command[0] === 'serve') && !command.includes('--help') && !command.includes('-h');
  if (!serving || INHERITED_FDS.some((name) => env[name] !== undefined)) return null;
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
  const entry = proc.argv[1] ?? '';
  const compiled = entry.startsWith('/$bunfs/') || entry.includes('~BUN');
  return compiled ? [proc.execPath, ...proc.argv.slice(2)] : [proc.execPath, ...proc.execArgv, ...proc.argv.slice(1)];
}
