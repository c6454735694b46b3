/**
 * The command line's grammar: the usage text and the parser that turns the
 * arguments left after the configuration flags into a command. Apart from
 * cli.ts, which runs commands over the whole application, so that main.ts can
 * tell whether it is about to serve (and restart for the runtime's settings,
 * runtime-env.ts) before loading anything else.
 */
import type * as Util from 'node:util';
import type { PlanPatch } from './accounts/plans.service.ts';
import { parseWholeNumber } from './whole-number.ts';

export const USAGE = `Usage: shrinkray [command] [options]

Commands:
  serve                      run the server (the default)
  user create --email E [--password P] [--plan free|pro|enterprise] [--admin]
                             (plan: free, or enterprise for an admin; without --password a
                             generated one is printed, to be changed at the first sign-in)
  user password --email E [--password P]
                             set a user's password (or print a generated one they must change
                             at the next sign-in) and sign them out everywhere
  user transfer --from E --to E2
                             give every link (deleted ones too) and QR code of E to the active
                             user E2, with their click history; E's API keys stay E's
  key create --email E [--name N]
                             create an API key; the key is printed alone on the last line
  key list --email E         a user's API keys: id, status, created, last used, name (never the key)
  key revoke --email E (--id ID | --all)
                             revoke one key of the user (its id from key list), or all their active keys
  plan set NAME [--rate-limit N] [--max-links N|unlimited] [--api-access true|false]
                [--custom-alias true|false] [--password true|false]
                [--expiry true|false] [--qr-colors true|false]
  backup FILE                consistent copy of the database (safe while the server runs)
  restore FILE               put a backup in place of the database (with the server stopped;
                             the replaced database is kept beside it)
  healthcheck                exit 0 when the server on HOST/PORT answers /healthz
  version                    the version of this program
  help                       this text

Configuration: environment variables, or a flag of the same name, which wins
  --port PORT (8080)   --host HOST (0.0.0.0)   --data-dir DATA_DIR (./data)
  --base-url BASE_URL  --anonymous-links  --allow-private-targets  --trust-proxy
  --og-fetch           --log-level debug|info|warn|error|silent
  --metrics-token METRICS_TOKEN (/metrics then needs it as a Bearer token)
  --root-redirect URL        where / sends visitors when anonymous links are off (default: /dashboard)
  --not-found-redirect URL   where unknown, deleted, expired and paused short links send visitors
                             (default: the 404 page)
  --click-retention-days N   days raw click rows are kept (90; 0 keeps them forever); analytics
                             are kept whatever this says`;

/** The first words of the commands (a bare on/off switch never takes one as its value: config.ts). */
export const COMMAND_WORDS: readonly string[] = ['serve', 'user', 'key', 'plan', 'backup', 'restore', 'healthcheck', 'version', 'help'];

/** Bad command line: exit 2 with the usage text. */
export class UsageError extends Error {}

export type Command =
  | { name: 'serve' }
  | { name: 'help' }
  | { name: 'healthcheck' }
  | { name: 'version' }
  | { name: 'user-create'; email: string; password?: string; plan?: string; admin: boolean }
  | { name: 'user-password'; email: string; password?: string }
  | { name: 'user-transfer'; from: string; to: string }
  | { name: 'key-create'; email: string; keyName?: string }
  | { name: 'key-list'; email: string }
  | { name: 'key-revoke'; email: string; keyId: number | 'all' }
  | { name: 'plan-set'; plan: string; patch: PlanPatch }
  | { name: 'backup' | 'restore'; file: string };

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

function parse(args: string[], options: OptionSpec, positionals: number, what: string) {
  // "--rate-limit -5" is a value that looks like an option to parseArgs ("ambiguous"): read it as the value,
  // so that its own check says what is wrong with it
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const takesValue = args[i]!.startsWith('--') && options[args[i]!.slice(2)]?.type === 'string';
    if (takesValue && /^-\d/.test(args[i + 1] ?? '')) joined.push(`${args[i]}=${args[++i]}`);
    else joined.push(args[i]!);
  }
  args = joined;
  let parsed;
  try {
    // required here, not imported: the server's start reads this module before restarting itself (main.ts), and
    // loading node:util cost that ~5 ms for the one-shot commands alone
    parsed = (require('node:util') as typeof Util).parseArgs({ args, options, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    throw new UsageError(`${what}: ${(e as Error).message}`);
  }
  // parseArgs keeps the last of a repeated option: "--rate-limit 60 --rate-limit 70" would set 70 without a word
  const given = new Map<string, string[]>();
  for (const t of parsed.tokens) if (t.kind === 'option') given.set(t.name, [...(given.get(t.name) ?? []), t.value ?? '']);
  for (const [name, values] of given) {
    if (values.length > 1) throw new UsageError(`${what}: --${name} is given ${values.length} times${values.some((v) => v !== '') ? ` (${values.map((v) => `"${v}"`).join(', ')})` : ''}; give it once`);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(`${what}: expected ${positionals || 'no'} argument${positionals === 1 ? '' : 's'}, got "${parsed.positionals.join(' ')}"`);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

function required(values: Record<string, string | boolean | undefined>, name: string, what: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`${what}: --${name} is required`);
  return v;
}

// a flag that may be left out (then something is generated), but not given empty
function optionalValue(values: Record<string, string | boolean | undefined>, name: string, what: string): string | undefined {
  const v = values[name];
  if (v === '') throw new UsageError(`${what}: --${name} needs a value (leave it out to generate one)`);
  return typeof v === 'string' ? v : undefined;
}

function flagBool(name: string, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new UsageError(`plan set: --${name} must be true or false, got "${raw}"`);
}

/** The dashboard's plan form reads its numbers with the same parser: 1e3 is 1000 in both, 1.5 refused by both. */
function flagInt(name: string, raw: string): number {
  const n = parseWholeNumber(raw);
  if (n === null) throw new UsageError(`plan set: --${name} must be a whole number, got "${raw}"`);
  return n;
}

const PLAN_FLAGS = {
  'rate-limit': (v: string): PlanPatch => ({ rateLimitPerMinute: flagInt('rate-limit', v) }),
  'max-links': (v: string): PlanPatch => ({ maxLinks: v === 'unlimited' ? null : flagInt('max-links', v) }),
  'api-access': (v: string): PlanPatch => ({ apiAccess: flagBool('api-access', v) }),
  'custom-alias': (v: string): PlanPatch => ({ customAlias: flagBool('custom-alias', v) }),
  password: (v: string): PlanPatch => ({ password: flagBool('password', v) }),
  expiry: (v: string): PlanPatch => ({ expiry: flagBool('expiry', v) }),
  'qr-colors': (v: string): PlanPatch => ({ qrColors: flagBool('qr-colors', v) }),
} as const;

/** Turns the arguments left after the configuration flags into a command. @throws UsageError */
export function parseCommand(args: string[]): Command {
  if (args.includes('--help') || args.includes('-h')) return { name: 'help' };
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) return { name: 'version' };
  const [first, second, ...rest] = args;
  const sub = `${first} ${second}`;
  if (first === undefined || first === 'serve') {
    if (args.length > 1) throw new UsageError(`serve: unexpected argument "${args[1]}"`);
    return { name: 'serve' };
  }
  if (first === 'help' || first === 'healthcheck' || first === 'version') {
    if (args.length > 1) throw new UsageError(`${first}: unexpected argument "${args[1]}"`);
    return { name: first };
  }
  if (sub === 'user create') {
    const { values } = parse(rest, { email: { type: 'string' }, password: { type: 'string' }, plan: { type: 'string' }, admin: { type: 'boolean' } }, 0, sub);
    return {
      name: 'user-create',
      email: required(values, 'email', sub),
      password: optionalValue(values, 'password', sub),
      plan: values.plan as string | undefined,
      admin: values.admin === true,
    };
  }
  if (sub === 'user password') {
    const { values } = parse(rest, { email: { type: 'string' }, password: { type: 'string' } }, 0, sub);
    return { name: 'user-password', email: required(values, 'email', sub), password: optionalValue(values, 'password', sub) };
  }
  if (sub === 'user transfer') {
    const { values } = parse(rest, { from: { type: 'string' }, to: { type: 'string' } }, 0, sub);
    return { name: 'user-transfer', from: required(values, 'from', sub), to: required(values, 'to', sub) };
  }
  if (sub === 'key create') {
    const { values } = parse(rest, { email: { type: 'string' }, name: { type: 'string' } }, 0, sub);
    return { name: 'key-create', email: required(values, 'email', sub), keyName: values.name as string | undefined };
  }
  if (sub === 'key list') {
    const { values } = parse(rest, { email: { type: 'string' } }, 0, sub);
    return { name: 'key-list', email: required(values, 'email', sub) };
  }
  if (sub === 'key revoke') {
    const { values } = parse(rest, { email: { type: 'string' }, id: { type: 'string' }, all: { type: 'boolean' } }, 0, sub);
    const email = required(values, 'email', sub);
    if ((values.id === undefined) === (values.all === undefined)) throw new UsageError(`${sub}: give either --id ID (from key list) or --all`);
    if (values.all) return { name: 'key-revoke', email, keyId: 'all' };
    const id = parseWholeNumber(String(values.id));
    if (id === null) throw new UsageError(`${sub}: --id must be a whole number, got "${values.id}"`);
    return { name: 'key-revoke', email, keyId: id };
  }
  if (sub === 'plan set') {
    const options = Object.fromEntries(Object.keys(PLAN_FLAGS).map((k) => [k, { type: 'string' as const }]));
    const { values, positionals } = parse(rest, options, 1, sub);
    let patch: PlanPatch = {};
    for (const [flag, toPatch] of Object.entries(PLAN_FLAGS)) {
      const v = values[flag];
      if (typeof v === 'string') patch = { ...patch, ...toPatch(v) };
    }
    if (Object.keys(patch).length === 0) throw new UsageError('plan set: give at least one option to change');
    return { name: 'plan-set', plan: positionals[0]!, patch };
  }
  if (first === 'backup' || first === 'restore') {
    const { positionals } = parse(args.slice(1), {}, 1, first);
    return { name: first, file: positionals[0]! };
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option "${first}"`);
  const GROUPS: Record<string, string[]> = { user: ['create', 'password', 'transfer'], key: ['create', 'list', 'revoke'], plan: ['set'] };
  const group = GROUPS[first];
  if (group && (second === undefined || second.startsWith('-') || !group.includes(second))) {
    throw new UsageError(`${first}: ${second === undefined || second.startsWith('-') ? 'which one?' : `unknown command "${second}";`} ${group.map((g) => `${first} ${g}`).join(', ')}`);
  }
  throw new UsageError(`unknown command "${args.slice(0, 2).filter((a) => !a.startsWith('-')).join(' ')}"`);
}
