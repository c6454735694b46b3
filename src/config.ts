/**
 * Configuration from the environment and command-line flags (a flag of the
 * same name wins: --port 9000 or --port=9000 beats PORT). Parsed and
 * validated once; nothing else reads the environment.
 */
import { COMMAND_WORDS } from './command-line.ts';
import { CODE_PATTERN, isReservedCode } from './links/reserved-codes.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  baseUrl: string;
  anonymousLinks: boolean;
  allowPrivateTargets: boolean;
  trustProxy: boolean;
  ogFetch: boolean;
  logLevel: LogLevel;
  /** how often the click queue is flushed; the spec caps it at one second */
  clickFlushMs: number;
  /** largest request body accepted, in bytes */
  maxBodyBytes: number;
  /** when set, /metrics answers only `Authorization: Bearer <it>` */
  metricsToken: string | null;
  /** when set, GET / redirects here instead of to the dashboard (unless anonymous links make / the shorten form) */
  rootRedirect: string | null;
  /** when set, a short link that names no live link redirects here instead of answering the 404 page */
  notFoundRedirect: string | null;
  /** raw click rows older than this many days are deleted by the click writer; 0 keeps them forever */
  clickRetentionDays: number;
}

export class ConfigError extends Error {}

const KEYS = {
  PORT: 'port',
  HOST: 'host',
  DATA_DIR: 'data-dir',
  BASE_URL: 'base-url',
  ANONYMOUS_LINKS: 'anonymous-links',
  ALLOW_PRIVATE_TARGETS: 'allow-private-targets',
  TRUST_PROXY: 'trust-proxy',
  OG_FETCH: 'og-fetch',
  LOG_LEVEL: 'log-level',
  METRICS_TOKEN: 'metrics-token',
  ROOT_REDIRECT: 'root-redirect',
  NOT_FOUND_REDIRECT: 'not-found-redirect',
  CLICK_RETENTION_DAYS: 'click-retention-days',
} as const;
type Key = keyof typeof KEYS;

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];
const BOOLEAN_KEYS = new Set<Key>(['ANONYMOUS_LINKS', 'ALLOW_PRIVATE_TARGETS', 'TRUST_PROXY', 'OG_FETCH']);

function bool(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  const v = raw.toLowerCase();
  if (TRUE_WORDS.includes(v)) return true;
  if (FALSE_WORDS.includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/**
 * A visitor-facing redirect target: absolute http(s), written with its // (new URL reads "https:example.com"
 * as https://example.com/, which is more likely a typo than a choice), no credentials (they would be shown on
 * the settings page and handed to every visitor). Returned serialised, so that it is a valid Location header.
 */
function redirectTarget(name: Key, raw: string | undefined): string | null {
  if (!raw) return null;
  let url: URL | null = null;
  try {
    url = /^https?:\/\//i.test(raw) ? new URL(raw) : null;
  } catch {
    // refused below with the same message
  }
  if (url === null || url.host === '' || url.username || url.password) {
    throw new ConfigError(`${name} must be an absolute http(s) URL such as https://example.com/ (no credentials), got "${raw}"`);
  }
  return url.href;
}

/**
 * A redirect target on this server whose path would be answered by the same redirect again: ROOT_REDIRECT
 * to /, NOT_FOUND_REDIRECT to a short link (/CODE, /s/CODE, /preview/CODE: answered by it whenever that
 * code is not live). Browsers give up after ~20 hops; refused at start instead.
 */
function notALoop(name: Key, target: string | null, baseUrl: string, loops: (path: string) => boolean): string | null {
  if (target === null) return null;
  const url = new URL(target);
  if (url.host === new URL(baseUrl).host && loops(url.pathname)) {
    throw new ConfigError(`${name} would send visitors back to itself on this server (${target}): point it at another address`);
  }
  return target;
}

const namesCode = (path: string) => {
  const m = /^\/(?:(?:s|preview)\/)?([^/]+)\/?$/.exec(path);
  return m !== null && CODE_PATTERN.test(m[1]!) && !isReservedCode(m[1]!);
};

/**
 * Reads flags of the form --name value, --name=value and, for the on/off
 * keys, bare --name (true), returning what is left for the command line.
 * @throws ConfigError (a key that needs a value given none)
 */
export function extractConfigFlags(argv: string[]): { flags: Partial<Record<Key, string>>; rest: string[] } {
  const byFlag = new Map<string, Key>(Object.entries(KEYS).map(([k, f]) => [f, k as Key]));
  // SPEC: "a flag of the same name" — accept the env spelling too (--PORT, --DATA_DIR)
  for (const k of Object.keys(KEYS) as Key[]) byFlag.set(k, k);
  const flags: Partial<Record<Key, string>> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    const key = m ? byFlag.get(m[1]!) : undefined;
    if (!m || !key) {
      rest.push(arg);
      continue;
    }
    const next = argv[i + 1];
    // a bare switch takes an on/off word after it; before the command, any word but the command (--trust-proxy
    // maybe: refused as a value, not run as an unknown command "maybe"); after it, none (backup --trust-proxy x.db)
    const beforeCommand = !argv.slice(0, i).some((a) => COMMAND_WORDS.includes(a));
    const switchValue = next !== undefined && ([...TRUE_WORDS, ...FALSE_WORDS].includes(next.toLowerCase()) || (beforeCommand && !COMMAND_WORDS.includes(next)));
    const takesNext = next !== undefined && !next.startsWith('--') && (!BOOLEAN_KEYS.has(key) || switchValue);
    if (m[2] !== undefined) flags[key] = m[2];
    else if (takesNext) flags[key] = argv[++i]!;
    else if (BOOLEAN_KEYS.has(key)) flags[key] = 'true';
    // as "true" it would be a folder named true, or an address that does not exist
    else throw new ConfigError(`--${KEYS[key]} needs a value (--${KEYS[key]} ${key} or --${KEYS[key]}=${key})`);
  }
  return { flags, rest };
}

export function loadConfig(env: Record<string, string | undefined>, flags: Partial<Record<Key, string>> = {}): Config {
  // empty counts as unset, for a flag as for a variable (Compose substitutes an unset ${PORT} with ''),
  // so --port= leaves PORT from the environment in force
  const get = (k: Key) => flags[k] || env[k];
  const portRaw = get('PORT') || '8080';
  // digits only: Number() also reads 0x50 (80), 1e3 and " 80 ", none of which is a port anyone meant to write
  const port = /^\d{1,5}$/.test(portRaw) ? Number(portRaw) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`PORT must be 0-65535, got "${portRaw}"`);
  const logLevel = (get('LOG_LEVEL') || 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${get('LOG_LEVEL')}"`);
  const retentionRaw = get('CLICK_RETENTION_DAYS') || '90';
  // digits only, as for PORT; a century at most, so that the cutoff stays a sane date
  const clickRetentionDays = /^\d{1,5}$/.test(retentionRaw) ? Number(retentionRaw) : NaN;
  if (!(clickRetentionDays >= 0 && clickRetentionDays <= 36500)) {
    throw new ConfigError(`CLICK_RETENTION_DAYS must be a whole number of days 0-36500 (0 keeps raw clicks forever), got "${retentionRaw}"`);
  }
  const metricsToken = get('METRICS_TOKEN') || null;
  // a scraper's secret, sent on every scrape: short ones are guessed (its value is never shown back)
  if (metricsToken !== null && (metricsToken.length < 16 || /\s/.test(metricsToken))) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 characters, without spaces (e.g. the output of: openssl rand -hex 24)');
  }
  const baseRaw = get('BASE_URL') || `http://localhost:${port}`;
  let baseUrl: string;
  try {
    const u = new URL(baseRaw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    baseUrl = u.origin;
    // short links, pages and APIs are served at the root: anything after the origin would be dropped
    // from every short URL, or (a path) make every one of them a 404
    if (u.pathname.replace(/\/+$/, '') !== '' || u.username || u.password || u.search || u.hash) {
      throw new ConfigError(`BASE_URL must be an origin such as https://sho.rt (no path, query or credentials), got "${baseRaw}"`);
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`BASE_URL must be an http(s) URL, got "${baseRaw}"`);
  }
  return {
    port,
    host: get('HOST') || '0.0.0.0',
    dataDir: get('DATA_DIR') || './data',
    baseUrl,
    anonymousLinks: bool('ANONYMOUS_LINKS', get('ANONYMOUS_LINKS'), false),
    allowPrivateTargets: bool('ALLOW_PRIVATE_TARGETS', get('ALLOW_PRIVATE_TARGETS'), false),
    trustProxy: bool('TRUST_PROXY', get('TRUST_PROXY'), false),
    ogFetch: bool('OG_FETCH', get('OG_FETCH'), true),
    logLevel,
    clickFlushMs: 1000,
    // Bun's own cap, which answers a bare 413 before any handler: above every route's limit (the dashboard's
    // forms, a CSV import among them, read up to 7 MB; the APIs 1 MB), so that an oversized body is refused in its dialect's envelope
    maxBodyBytes: 8 * 1024 * 1024,
    metricsToken,
    rootRedirect: notALoop('ROOT_REDIRECT', redirectTarget('ROOT_REDIRECT', get('ROOT_REDIRECT')), baseUrl, (path) => path === '/'),
    notFoundRedirect: notALoop('NOT_FOUND_REDIRECT', redirectTarget('NOT_FOUND_REDIRECT', get('NOT_FOUND_REDIRECT')), baseUrl, namesCode),
    clickRetentionDays,
  };
}
