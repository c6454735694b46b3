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

/** Parses a date the way Laravel's `date` rule accepts common inputs; naive times are UTC. */
export function parseDate(value: string): number | null {
  const s = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(s)) return null;
  let iso = s.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00';
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
  // Date.parse rolls a day past the month's end into the next month (2026-02-31 → March 3);
  // Laravel's `date` rule refuses a day the calendar does not have
  const [year, month, day] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const ms = Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));
  // an offset can carry 9999-12-31T23:59 into year 10000 (or 0000-01-01 before year 1), which no
  // four-digit date the APIs answer with can show
  return Number.isNaN(ms) || ms < FIRST_DATE || ms > LAST_DATE ? null : ms;
}

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
