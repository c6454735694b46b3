/**
 * One line per event, `time level msg key=value …`, so the output stays
 * greppable in `journalctl` or `docker logs` without a JSON viewer. Values
 * with spaces, quotes, `=` or control characters are JSON-quoted, which keeps
 * a multi-line stack trace on one line. debug/info go to stdout, warn/error
 * to stderr (a supervisor can route them apart); 'silent' writes nothing.
 */
import type { LogLevel } from './config.ts';

export type LogFields = Record<string, unknown>;
export type LogFn = (msg: string, fields?: LogFields) => void;

export interface LogSink {
  out(line: string): void;
  err(line: string): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * Writes to a standard stream and, once its reader is gone (`shrinkray | head`,
 * a log shipper restarting: EPIPE), drops the lines instead of letting the
 * stream's error end the process, and the clicks still queued with it.
 * process[name] is resolved at write time so a test can swap its write.
 */
function streamWriter(name: 'stdout' | 'stderr'): (line: string) => void {
  let broken = false;
  let listening = false;
  return (line) => {
    if (broken) return;
    const stream = process[name];
    if (!listening) {
      listening = true;
      stream.on('error', () => (broken = true));
    }
    try {
      stream.write(`${line}\n`);
    } catch {
      broken = true;
    }
  };
}

const processSink: LogSink = { out: streamWriter('stdout'), err: streamWriter('stderr') };

const NEEDS_QUOTES = /[\s"=\\]|[\u0000-\u001f\u007f]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function formatValue(value: unknown): string {
  if (value instanceof Error) value = value.stack ?? `${value.name}: ${value.message}`;
  else if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return '"[unserializable]"';
    }
  }
  const text = String(value);
  return text === '' || NEEDS_QUOTES.test(text) ? JSON.stringify(text) : text;
}

export function formatLine(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields, time = new Date()): string {
  // messages are our own fixed phrases: readable as-is unless they could break the line
  let line = `${time.toISOString()} ${level} ${CONTROL.test(msg) ? JSON.stringify(msg) : msg}`;
  if (fields) for (const key in fields) if (fields[key] !== undefined) line += ` ${key}=${formatValue(fields[key])}`;
  return line;
}

export function createLogger(level: LogLevel, sink: LogSink = processSink) {
  const threshold = RANK[level];
  const at = (lvl: Exclude<LogLevel, 'silent'>, write: (line: string) => void): LogFn =>
    RANK[lvl] >= threshold ? (msg, fields) => write(formatLine(lvl, msg, fields)) : () => {};
  return {
    level,
    /** lets hot paths skip building fields that would be thrown away */
    enabled: (lvl: Exclude<LogLevel, 'silent'>) => RANK[lvl] >= threshold,
    debug: at('debug', (l) => sink.out(l)),
    info: at('info', (l) => sink.out(l)),
    warn: at('warn', (l) => sink.err(l)),
    error: at('error', (l) => sink.err(l)),
  };
}
export type Logger = ReturnType<typeof createLogger>;
