/**
 * Process entry, and the only module with side effects: it reads argv and
 * the environment, owns process.exit and the signal handlers, and first
 * restarts itself with the runtime settings of runtime-env.ts.
 *
 * On SIGTERM/SIGINT/SIGHUP (unless SIGHUP was ignored, as nohup does) the server stops accepting, the click queue is written
 * and the database closed before exit 0; a second signal exits at once, for
 * an operator who would rather lose the queue than wait. A signal that comes
 * while the server is still starting waits for the start, then does the same.
 */
import { readFileSync } from 'node:fs';
import type { Io, RunningServer } from './cli.ts';
import { parseCommand, USAGE, UsageError } from './command-line.ts';
import { type Config, ConfigError, extractConfigFlags, loadConfig } from './config.ts';
import { restartArgv, restartEnv } from './runtime-env.ts';

function restartSettings() {
  try {
    return restartEnv(process.env, extractConfigFlags(process.argv.slice(2)).rest);
  } catch {
    return undefined; // a bad flag: main() reports it, and nothing is served
  }
}

// first, before the application is loaded (imported below; the modules above only parse): settings the runtime reads only at start
const tuned = restartSettings();
if (tuned && typeof process.execve === 'function') {
  try {
    process.execve(process.execPath, restartArgv(process), tuned);
  } catch {
    // cannot restart (no execve here): run on the runtime's defaults
  }
}
const { runCommand, startServer } = await import('./cli.ts');

const io: Io = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

async function main(argv: string[]): Promise<number | 'serving'> {
  let config: Config;
  let command;
  try {
    const { flags, rest } = extractConfigFlags(argv);
    command = parseCommand(rest);
    // help and version need no configuration: a bad PORT in the environment must not hide them
    config = command.name === 'help' || command.name === 'version' ? loadConfig({}) : loadConfig(process.env, flags);
  } catch (e) {
    if (e instanceof ConfigError) io.err(`error: ${e.message}`);
    else if (e instanceof UsageError) io.err(`error: ${e.message}\n\n${USAGE}`);
    else throw e;
    return 2;
  }
  if (command.name !== 'serve') return runCommand(command, config, io);

  // installed before the server starts: it answers redirects (queueing their clicks) before its start
  // completes, so a signal in that window must also wait for the start and then write the queue
  let server: RunningServer | undefined;
  let signalled: NodeJS.Signals | undefined;
  const shutDown = (running: RunningServer) =>
    running.stop().then(
      () => {
        // the last line: without it an operator cannot tell a finished shutdown from a hung one
        if (config.logLevel !== 'silent') io.err('shrinkray stopped: every queued click was written');
        process.exit(0);
      },
      (e) => {
        io.err(`error during shutdown: ${(e as Error)?.message ?? e}`);
        process.exit(1);
      },
    );
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(signal === 'SIGINT' ? 130 : 143);
    signalled = signal;
    if (config.logLevel !== 'silent') io.err(`${signal}: writing queued clicks and shutting down (send it again to quit at once)`);
    if (server) shutDown(server);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // a closed terminal or SSH session: by default the process would die with its click queue unwritten.
  // Unless the operator chose to ignore it (nohup): a handler would undo that, and logging out would stop the server
  if (!inheritedIgnore('SIGHUP')) process.on('SIGHUP', onSignal);
  try {
    server = await startServer(config, io);
  } catch (e) {
    const message = String((e as Error)?.message ?? e);
    // Bun blames the port for any listen failure, an address this machine does not have included; a name
    // that resolves to nothing is EINVAL on some machines
    const hint = /Failed to start server|EADDRNOTAVAIL|EINVAL|ENOTFOUND/.test(message) ? ` (check that HOST=${config.host} is an address of this machine and PORT=${config.port} is free)` : '';
    io.err(`error: cannot start: ${message}${hint}`);
    return 1;
  }
  if (signalled) shutDown(server);
  return 'serving';
}

/** Whether `signal` was ignored when the process started (nohup does so for SIGHUP). Linux: /proc; elsewhere, no. */
function inheritedIgnore(signal: 'SIGHUP'): boolean {
  const number = { SIGHUP: 1 }[signal];
  try {
    const mask = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & (1n << BigInt(number - 1))) !== 0n;
  } catch {
    return false;
  }
}

const result = await main(process.argv.slice(2));
if (result !== 'serving') process.exit(result);
