/**
 * Laravel-style request validation for the dialects whose services are
 * Laravel apps (Minilnk, Linx.ly, ShrtLnk): every field is checked, all
 * failures are collected, and the messages read exactly like Laravel's
 * ("The original url field is required."), so clients that show them or
 * match on them keep working. check() throws one DomainError VALIDATION
 * carrying meta.errors = { field: [messages] }.
 */
import { DomainError } from '../errors.ts';
import { charLength } from '../text.ts';
import { checkDestination, type UrlPolicy } from '../links/url-policy.ts';
import { Type as t } from '@sinclair/typebox';

export type FieldErrors = Record<string, string[]>;

/** How Laravel names a field in a message: Str::snake, then underscores as spaces (expiresAt → "expires at"). */
const label = (field: string) => field.replace(/(.)(?=[A-Z])/g, '$1_').toLowerCase().replace(/_/g, ' ');

/** A field's message for an array item, named as Laravel names it: "The expires at field …" → "The 1.expires at field …". */
export const itemMessage = (message: string, field: string, index: number) => message.replace(`The ${label(field)} `, `The ${label(`${index}.${field}`)} `);

/**
 * Laravel's UrlWindow (3 pages each side): every page when there are fewer
 * than 14, otherwise the first and last two with "..." gaps around the
 * current page's neighbourhood.
 */
function pageWindow(page: number, lastPage: number): (number | '...')[] {
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const onEachSide = 3;
  const window = onEachSide + 4;
  if (lastPage < onEachSide * 2 + 8) return range(1, lastPage);
  const start = [1, 2];
  const finish = [lastPage - 1, lastPage];
  if (page <= window) return [...range(1, window + onEachSide), '...', ...finish];
  if (page > lastPage - window) return [...start, '...', ...range(lastPage - (window + onEachSide - 1), lastPage)];
  return [...start, '...', ...range(page - onEachSide, page + onEachSide), '...', ...finish];
}

/** The page entries of a Laravel paginator's `links` (between Previous and Next), "..." gaps included. */
/** One entry of a Laravel paginator's `links`, for the documents. */
export const PageLinkSchema = t.Object({ url: t.Union([t.String(), t.Null()]), label: t.String(), active: t.Boolean() });

export function laravelPageLinks(page: number, lastPage: number, url: (page: number) => string): { url: string | null; label: string; active: boolean }[] {
  return pageWindow(page, lastPage).map((p) => (p === '...' ? { url: null, label: '...', active: false } : { url: url(p), label: String(p), active: p === page }));
}

/** Laravel's summary line: the first message, plus how many more there are. */
export function laravelMessage(errors: FieldErrors): string {
  const all = Object.values(errors).flat();
  if (all.length === 0) return 'The given data was invalid.';
  const more = all.length - 1;
  return more > 0 ? `${all[0]} (and ${more} more error${more > 1 ? 's' : ''})` : all[0]!;
}

/** The {message, errors} body of a Laravel 422. */
export function laravelValidationBody(error: DomainError, rename: Record<string, string> = {}): { message: string; errors: FieldErrors } {
  const errors: FieldErrors = (error.meta.errors as FieldErrors | undefined) ?? {
    [rename[error.meta.field ?? ''] ?? error.meta.field ?? 'input']: [error.message],
  };
  return { message: laravelMessage(errors), errors };
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

const FIRST_DATE = Date.parse('0001-01-01T00:00:00Z');
const LAST_DATE = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Parses a date the way Laravel's `date` rule (PHP's strtotime, then a
 * calendar check) accepts the absolute forms clients send; naive times are
 * UTC, as in a Laravel app's default timezone. ISO 8601 and "Y-m-d H:i:s";
 * then, as PHP reads them, "Y/m/d", American "m/d/Y", European "d-m-Y" and
 * "d.m.Y", and named months ("15 January 2099", "Jan 15, 2099", the RFC 2822
 * "Thu, 15 Jan 2099 10:00:00 GMT" of HTTP dates and JavaScript's
 * toUTCString), each with an optional "H:i[:s]" and zone. Relative forms
 * ("tomorrow", "+1 week") are refused: an expiry is a moment a client means.
 */
export function parseDate(value: string): number | null {
  const s = value.trim();
  for (const pattern of DATE_FORMS) {
    const m = pattern.exec(s);
    if (!m) continue;
    const field = (name: 'y' | 'm' | 'd') => m.groups![name]!;
    const month = /^\d/.test(field('m')) ? Number(field('m')) : MONTHS.indexOf(field('m').slice(0, 3).toLowerCase()) + 1;
    const t = m.groups!;
    const offset = zoneMinutes(t.zone);
    if (offset === null) return null;
    const at = fromParts(Number(field('y')), month, Number(field('d')), Number(t.h ?? 0), Number(t.i ?? 0), Number(t.s ?? 0), Number(((t.f ?? '') + '000').slice(1, 4) || 0), offset);
    // a weekday that is not the date's ("Mon, 15 Jan 2099", a Thursday) says one of the two is wrong
    if (at !== null && t.wd && new Date(at + offset * 60_000).getUTCDay() !== WEEKDAYS.indexOf(t.wd.toLowerCase())) return null;
    return at;
  }
  return null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(?<m>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEKDAY = '(?:(?<wd>mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\\s+)?';
const TIME = '(?:(?:\\s+|T)(?<h>\\d{1,2}):(?<i>\\d{2})(?::(?<s>\\d{2})(?<f>\\.\\d{1,9})?)?)?';
// an offset of hours alone (+05, PostgreSQL's +00) only after a time, where it cannot be read as part of a date
const ZONE = '(?:\\s*(?<zone>Z|UTC|GMT(?:[+-]\\d{2}(?::?\\d{2})?)?|[+-]\\d{2}:?\\d{2}|(?<=:\\d{2}(?:\\.\\d{1,9})?\\s*)[+-]\\d{2}))?';
const form = (date: string) => new RegExp(`^${date}${TIME}${ZONE}$`, 'i');
const DATE_FORMS: RegExp[] = [
  form('(?<y>\\d{4})-(?<m>\\d{2})-(?<d>\\d{2})'),
  form('(?<y>\\d{4})/(?<m>\\d{1,2})/(?<d>\\d{1,2})'),
  form('(?<m>\\d{1,2})/(?<d>\\d{1,2})/(?<y>\\d{4})'),
  form('(?<d>\\d{1,2})[-.](?<m>\\d{1,2})[-.](?<y>\\d{4})'),
  form(`${WEEKDAY}(?<d>\\d{1,2})[ -]${MONTH}\\.?[ -]+(?<y>\\d{4})`),
  form(`${WEEKDAY}${MONTH}\\.?\\s+(?<d>\\d{1,2})(?:st|nd|rd|th)?,?\\s+(?<y>\\d{4})`),
];

/** A zone's offset east of UTC in minutes; none is UTC; null for an offset no zone has. */
function zoneMinutes(zone: string | undefined): number | null {
  const m = /([+-])(\d{2})(?::?(\d{2}))?$/.exec(zone ?? '');
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return Number(m[3] ?? 0) > 59 || minutes > 14 * 60 ? null : (m[1] === '-' ? -minutes : minutes);
}

function fromParts(y: number, mo: number, d: number, h: number, i: number, sec: number, ms: number, offsetMinutes: number): number | null {
  // 24:00 is the end of the day (ISO 8601, and PHP), the next day's 00:00
  const clock = h < 24 ? i <= 59 && sec <= 59 : h === 24 && i === 0 && sec === 0 && ms === 0;
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || !clock) return null;
  // set field by field: Date.UTC reads years 0-99 as 1900-1999
  const at = new Date(0);
  at.setUTCFullYear(y, mo - 1, d);
  at.setUTCHours(h, i, sec, ms);
  return inRange(at.getTime() - offsetMinutes * 60_000);
}

const inRange = (ms: number) => (Number.isNaN(ms) || ms < FIRST_DATE || ms > LAST_DATE ? null : ms);

/** The fields TrimStrings leaves as sent (its $except): a password's spaces are part of it. */
const UNTRIMMED = new Set(['password', 'password_confirmation', 'current_password']);

/**
 * The input as a Laravel app's default middleware hands it to validation:
 * TrimStrings, then ConvertEmptyStringsToNull. Clients rely on both (a
 * padded " mycode" is the code "mycode"; "" clears a nullable field).
 */
function laravelInput(body: Record<string, unknown>): Record<string, unknown> {
  // fromEntries defines own properties: a "__proto__" key stays a plain field
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => {
      if (typeof v !== 'string') return [k, v];
      const s = UNTRIMMED.has(k) ? v : v.trim();
      return [k, s === '' ? null : s];
    }),
  );
}

export class Rules {
  readonly errors: FieldErrors = {};
  private readonly body: Record<string, unknown>;
  constructor(
    body: Record<string, unknown>,
    private readonly now: () => number = Date.now,
  ) {
    this.body = laravelInput(body);
  }

  /** A field's value after trimming and empty-to-null, for rules this class does not have. */
  value(field: string): unknown {
    return Object.prototype.hasOwnProperty.call(this.body, field) ? this.body[field] : undefined;
  }

  fail(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }

  has(field: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.body, field) && this.body[field] !== undefined;
  }

  private required(field: string, required: boolean | undefined): boolean {
    if (present(this.body[field])) return true;
    if (required) this.fail(field, `The ${label(field)} field is required.`);
    return false;
  }

  string(field: string, o: { required?: boolean; min?: number; max?: number; alphaNum?: boolean; alphaDash?: boolean; pattern?: RegExp } = {}): string | undefined {
    if (!this.required(field, o.required)) return undefined;
    const v = this.body[field];
    if (typeof v !== 'string') return void this.fail(field, `The ${label(field)} field must be a string.`);
    if (o.min !== undefined && charLength(v) < o.min) return void this.fail(field, `The ${label(field)} field must be at least ${o.min} characters.`);
    if (o.max !== undefined && charLength(v) > o.max) return void this.fail(field, `The ${label(field)} field must not be greater than ${o.max} characters.`);
    if (o.alphaNum && !/^[A-Za-z0-9]+$/.test(v)) return void this.fail(field, `The ${label(field)} field must only contain letters and numbers.`);
    if (o.alphaDash && !/^[A-Za-z0-9_-]+$/.test(v)) return void this.fail(field, `The ${label(field)} field must only contain letters, numbers, dashes, and underscores.`);
    if (o.pattern && !o.pattern.test(v)) return void this.fail(field, `The ${label(field)} field format is invalid.`);
    return v;
  }

  /** A destination URL, judged by the core URL policy (scheme, length, private hosts). */
  url(field: string, policy: UrlPolicy, o: { required?: boolean } = {}): string | undefined {
    if (!this.required(field, o.required)) return undefined;
    if (typeof this.body[field] !== 'string') return void this.fail(field, `The ${label(field)} field must be a string.`);
    try {
      return checkDestination(this.body[field], policy, field);
    } catch (e) {
      if (e instanceof DomainError) return void this.fail(field, e.message);
      throw e;
    }
  }

  boolean(field: string, o: { required?: boolean } = {}): boolean | undefined {
    if (!this.required(field, o.required)) return undefined;
    const v = this.body[field];
    if (v === true || v === 1 || v === '1' || v === 'true') return true;
    if (v === false || v === 0 || v === '0' || v === 'false') return false;
    return void this.fail(field, `The ${label(field)} field must be true or false.`);
  }

  integer(field: string, o: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    if (!this.required(field, o.required)) return undefined;
    const raw = this.body[field];
    const v = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return void this.fail(field, `The ${label(field)} field must be an integer.`);
    if (o.min !== undefined && o.max !== undefined && (v < o.min || v > o.max)) {
      return void this.fail(field, `The ${label(field)} field must be between ${o.min} and ${o.max}.`);
    }
    if (o.min !== undefined && v < o.min) return void this.fail(field, `The ${label(field)} field must be at least ${o.min}.`);
    if (o.max !== undefined && v > o.max) return void this.fail(field, `The ${label(field)} field must not be greater than ${o.max}.`);
    return v;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], o: { required?: boolean } = {}): T | undefined {
    if (!this.required(field, o.required)) return undefined;
    const v = this.body[field];
    if (typeof v !== 'string' || !allowed.includes(v as T)) return void this.fail(field, `The selected ${label(field)} is invalid.`);
    return v as T;
  }

  /** A date-time; `afterNow` mirrors Laravel's after:now. Returns epoch ms. */
  date(field: string, o: { required?: boolean; afterNow?: boolean } = {}): number | undefined {
    if (!this.required(field, o.required)) return undefined;
    const v = this.body[field];
    const ms = typeof v === 'string' ? parseDate(v) : null;
    if (ms === null) return void this.fail(field, `The ${label(field)} field must be a valid date.`);
    if (o.afterNow && ms <= this.now()) return void this.fail(field, `The ${label(field)} field must be a date after now.`);
    return ms;
  }

  /** Throws VALIDATION with every collected error. */
  check(): void {
    if (Object.keys(this.errors).length) {
      throw new DomainError('VALIDATION', laravelMessage(this.errors), { errors: this.errors });
    }
  }
}
