/**
 * The link form's fields → the core's create/update input, and the core's
 * refusals → messages next to fields. The form keeps what the user typed
 * (as strings) so a refused form comes back as it was sent. Dates typed into
 * datetime-local fields are read as UTC, as the form labels them. What the
 * form itself cannot read is noted in a Refusals, not thrown, and left out of
 * the input, so the core can still check the rest and the page shows every
 * fault at once.
 */
import { DomainError } from '../errors.ts';
import type { Refusal, Refusals } from '../refusals.ts';
import type { CreateLinkInput, UpdateLinkInput } from '../links/links.service.ts';
import type { Link, RedirectMode, Schedule } from '../links/links.types.ts';
import { PREVIEW_LIMITS, UTM_KEYS, type LinkFormValues, type ScheduleValues } from '../../views/dashboard/link-form.ts';
import { optionalText, textOf } from './form-values.ts';

const MODES: readonly RedirectMode[] = ['direct', 'bridge', 'preview'];
const MAX_SCHEDULES = 50;
const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/** datetime-local text (UTC) → epoch ms; '' → null. @throws VALIDATION */
export function parseUtcLocal(value: string, field: string, label: string): number | null {
  if (value.trim() === '') return null;
  const m = LOCAL_DATETIME.exec(value.trim());
  // setUTCFullYear, not Date.UTC: that reads years 0–99 as 1900–1999
  const ms = m ? new Date(0).setUTCFullYear(+m[1]!, +m[2]! - 1, +m[3]!) + (+m[4]! * 3600 + +m[5]! * 60 + +(m[6] ?? 0)) * 1000 + +(m[7] ?? '0').padEnd(3, '0') : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== +m[3]! || +m[2]! < 1 || +m[2]! > 12 || +m[4]! > 23 || +m[5]! > 59 || +(m[6] ?? 0) > 59) {
    throw new DomainError('VALIDATION', `The ${label} is not a valid date and time.`, { field });
  }
  return ms;
}

/**
 * epoch ms → datetime-local text in UTC, to the minute unless the time has seconds (set through an API):
 * then with them, so that saving the form, or changing only a schedule's address, keeps the time as it was
 */
export const toUtcLocal = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().slice(0, ms % 60_000 === 0 ? 16 : ms % 1000 === 0 ? 19 : 23));

/** What the form shows: the submitted fields as typed. */
export function formValues(form: Record<string, unknown>): LinkFormValues {
  const mode = textOf(form.redirect_mode) as RedirectMode;
  const indices = new Set<number>();
  for (const k of Object.keys(form)) {
    // rows are numbered as the page adds them, never reused: after many adds and removes a number can pass 999
    const m = /^schedule_(?:start|end|url)_(\d{1,9})$/.exec(k);
    if (m) indices.add(Number(m[1]));
  }
  // one filled row past the most a link takes is kept, so common() refuses the form instead of dropping rows
  const schedules: ScheduleValues[] = [...indices]
    .sort((a, b) => a - b)
    .map((i) => ({ start: textOf(form[`schedule_start_${i}`]), end: textOf(form[`schedule_end_${i}`]), url: textOf(form[`schedule_url_${i}`]).trim() }))
    .filter((s) => s.start || s.end || s.url)
    .slice(0, MAX_SCHEDULES + 1);
  return {
    url: textOf(form.url).trim(),
    code: textOf(form.code).trim(),
    title: textOf(form.title),
    expires_at: textOf(form.expires_at),
    redirect_mode: MODES.includes(mode) ? mode : 'direct',
    utm: Object.fromEntries(UTM_KEYS.map((k) => [k, textOf(form[`utm_${k}`])])) as LinkFormValues['utm'],
    schedules,
    remove_password: textOf(form.remove_password) === '1',
    page_title: textOf(form.page_title),
    description: textOf(form.description),
    thumbnail_url: textOf(form.thumbnail_url).trim(),
    bridge_delay: textOf(form.bridge_delay).trim(),
  };
}

/** The values of an existing link, for the edit form. */
export function linkValues(link: Link, schedules: Schedule[]): LinkFormValues {
  return {
    url: link.destination,
    code: link.code,
    title: link.title ?? '',
    expires_at: toUtcLocal(link.expiresAt),
    redirect_mode: link.redirectMode,
    utm: Object.fromEntries(UTM_KEYS.map((k) => [k, link.utm?.[k] ?? ''])) as LinkFormValues['utm'],
    schedules: schedules.map((s) => ({ start: toUtcLocal(s.startsAt), end: toUtcLocal(s.endsAt), url: s.destination })),
    remove_password: false,
    page_title: link.pageTitle ?? '',
    description: link.description ?? '',
    thumbnail_url: link.thumbnailUrl ?? '',
    bridge_delay: String(link.bridgeDelaySeconds),
  };
}

/**
 * A new link's form filled from one of the user's links: where it goes and
 * how it opens, its preview and schedules, but not what belongs to that link
 * alone (its code) nor what guards or ends it (password, expiry), which the
 * copy would otherwise carry without the person having seen them.
 */
export function duplicateValues(link: Link, schedules: Schedule[]): LinkFormValues {
  return { ...linkValues(link, schedules), code: '', expires_at: '' };
}

/** A query parameter's text ('' unless a string), at most `max` UTF-16 units, never ending in half a surrogate pair. */
function capped(v: unknown, max: number): string {
  const s = textOf(v).slice(0, max);
  return /[\uD800-\uDBFF]$/.test(s) ? s.slice(0, -1) : s;
}

/**
 * The new-link form as ?url=&title=&code= ask (a bookmarklet): values only,
 * nothing is created by a GET. The code is left out for a plan without
 * aliases, whose field is disabled: the person could neither see it used nor
 * clear it.
 */
export function prefillValues(query: Record<string, unknown>, customAlias: boolean): LinkFormValues {
  return formValues({
    url: capped(query.url, 2048),
    title: capped(query.title, 500), // the core's most for a title, as the field's maxlength
    code: customAlias ? capped(query.code, 32) : '',
  });
}

/** The delay field: '' is the default (none); anything but a whole number in the core's bounds is refused, not clamped. @throws VALIDATION */
function delayOf(text: string): number | undefined {
  if (text === '') return undefined;
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= PREVIEW_LIMITS.delayMax)) {
    throw new DomainError('VALIDATION', `The delay must be a whole number of seconds from 0 to ${PREVIEW_LIMITS.delayMax}.`, { field: 'bridge_delay' });
  }
  return n;
}

/**
 * The form shows times to the minute; a schedule posted back exactly as the
 * edit form showed it (both times and its destination) keeps the exact
 * times behind it. Matched per schedule, not per time, because two times set
 * through the API can fall within one shown minute (a start and its end).
 */
type ShownSchedules = Map<string, Schedule>;

const shownKey = (start: string, end: string, url: string) => JSON.stringify([start.trim(), end.trim(), url]);

function shownSchedules(schedules: Schedule[]): ShownSchedules {
  return new Map(schedules.map((s) => [shownKey(toUtcLocal(s.startsAt), toUtcLocal(s.endsAt), s.destination), s]));
}

/** Dates, schedules and mode; what cannot be read is noted in `r` and left undefined. */
function common(form: Record<string, unknown>, v: LinkFormValues, r: Refusals, shown: ShownSchedules = new Map()) {
  const mode = textOf(form.redirect_mode);
  if (mode && !MODES.includes(mode as RedirectMode)) r.note(new DomainError('VALIDATION', 'Choose how the link opens.', { field: 'redirect_mode' }));
  const schedules = r.check(() => {
    if (v.schedules.length > MAX_SCHEDULES) throw new DomainError('VALIDATION', `A link takes at most ${MAX_SCHEDULES} schedules: remove one.`, { field: 'schedules' });
    return v.schedules.map((s, schedule) => {
      // the row and its input, for the message and the summary link (scheduleErrorOf)
      const inRow = (run: () => number | null) => {
        try {
          return run();
        } catch (e) {
          throw e instanceof DomainError ? new DomainError(e.code, e.message, { ...e.meta, schedule }) : e;
        }
      };
      if (!s.url) throw new DomainError('VALIDATION', 'Each schedule needs an alternate destination.', { field: 'schedule destination', schedule });
      const kept = shown.get(shownKey(s.start, s.end, s.url));
      if (kept) return { startsAt: kept.startsAt, endsAt: kept.endsAt, destination: s.url };
      return {
        startsAt: inRow(() => parseUtcLocal(s.start, 'schedule start', 'schedule start')),
        endsAt: inRow(() => parseUtcLocal(s.end, 'schedule end', 'schedule end')),
        destination: s.url,
      };
    });
  });
  const utm = Object.fromEntries(UTM_KEYS.map((k) => [k, v.utm[k].trim() || null]));
  return { redirectMode: v.redirect_mode, schedules, utm, expiresAt: r.check(() => parseUtcLocal(v.expires_at, 'expires_at', 'expiry')) };
}

/**
 * The preview fields for an edit: a field the form did not send (a page
 * opened before the form had them, or another client) leaves its value
 * alone; a field sent empty removes it (the core stores '' as null). Fetched
 * and typed values share one column each, so the edit form shows the fetched
 * ones in the fields, and leaving them as shown keeps them.
 */
function previewPatch(form: Record<string, unknown>, v: LinkFormValues, link: Link, r: Refusals) {
  const sent = (name: string) => optionalText(form[name]) !== undefined;
  return {
    pageTitle: sent('page_title') ? v.page_title : undefined,
    description: sent('description') ? v.description : undefined,
    // checked by the core only when changed: an image stored before the policy read fetched ones (a
    // private host) must not refuse every later save of a form that shows it back untouched
    thumbnailUrl: sent('thumbnail_url') && (v.thumbnail_url || null) !== link.thumbnailUrl ? v.thumbnail_url || null : undefined,
    // an emptied delay is the default, none
    bridgeDelaySeconds: sent('bridge_delay') ? r.check(() => delayOf(v.bridge_delay) ?? 0) : undefined,
  };
}

/**
 * The core's input from the form and its values (formValues(form), which the
 * caller keeps to show the form again if the core refuses it); what the form
 * cannot read (dates, schedules, mode, delay) is noted in `r`.
 */
export function createInput(form: Record<string, unknown>, v: LinkFormValues, r: Refusals): CreateLinkInput {
  const password = textOf(form.password);
  return {
    destination: v.url,
    code: v.code || null,
    title: v.title.trim() || undefined,
    password: password || null,
    source: 'dashboard',
    // empty: the destination's own, fetched when the link is created
    pageTitle: v.page_title.trim() || undefined,
    description: v.description.trim() || undefined,
    thumbnailUrl: v.thumbnail_url || undefined,
    // a typed title names the link; its bridge page still wants the destination's picture and words
    fetchPreview: !(v.thumbnail_url && v.description.trim()),
    bridgeDelaySeconds: r.check(() => delayOf(v.bridge_delay)),
    ...common(form, v, r),
  };
}

/**
 * As createInput, for an edit of `link`. Times posted back as the form showed
 * them are kept exactly: an untouched expiry is left alone (not cut to the
 * minute, nor refused as past when it falls within the current minute), and
 * so are untouched schedules.
 * Noted in `r`: as createInput, and a new password with "remove the password".
 */
export function updateInput(form: Record<string, unknown>, v: LinkFormValues, link: Link, schedules: Schedule[], r: Refusals): UpdateLinkInput {
  let password = textOf(form.password);
  let removePassword = v.remove_password;
  // which of the two was meant cannot be told; saving either silently could leave the link open
  if (password && removePassword) {
    r.note(new DomainError('VALIDATION', 'Either type a new password or tick “Remove the password”, not both.', { field: 'password' }));
    [password, removePassword] = ['', false];
  }
  const { expiresAt, ...rest } = common(form, v, r, shownSchedules(schedules));
  // a disabled field (plan without expiry) is not sent, and an untouched one is as it was: leave the date alone
  const expirySent = typeof form.expires_at === 'string' && v.expires_at.trim() !== toUtcLocal(link.expiresAt);
  return {
    destination: v.url,
    // a cleared alias field keeps the current code rather than failing
    code: v.code || undefined,
    title: v.title.trim() || null,
    password: password || undefined,
    removePassword,
    expiresAt: expirySent ? expiresAt : undefined,
    removeExpiration: expirySent && expiresAt === null,
    ...rest,
    ...previewPatch(form, v, link, r),
  };
}

const FIELDS = new Set(['url', 'code', 'title', 'password', 'expires_at', 'redirect_mode', 'schedules', 'description', 'bridge_delay']);
// the core names these as its API's words; the form's inputs are named otherwise
const CORE_FIELDS: Record<string, string> = { 'page title': 'page_title', 'thumbnail url': 'thumbnail_url' };

/** The form field a refusal belongs to, or null for a message above the form (a plan gate). */
export function fieldOf(refusal: Refusal): string | null {
  const f = refusal.code === 'VALIDATION' || refusal.code === 'CODE_TAKEN' ? refusal.field : null;
  if (!f) return null;
  if (f.startsWith('schedule')) return 'schedules';
  if (f.startsWith('utm ')) return `utm_${f.slice(4)}`;
  return CORE_FIELDS[f] ?? (FIELDS.has(f) ? f : null);
}

/**
 * A refusal of one schedule as the form shows it: the row named in its message
 * ("Schedule 2 must end after it starts.") and the inputs to mark, or null
 * for one about no row (too many schedules).
 */
export function scheduleErrorOf(refusal: Refusal, message: string): { message: string; row: number; inputs: ('start' | 'end' | 'url')[] } | null {
  if (refusal.schedule === undefined) return null;
  const n = refusal.schedule + 1;
  const named = message.replace(/^(?:A|Each) schedule\b/, `Schedule ${n}`).replace(/^The schedule (start|end|destination)\b/, `The $1 of schedule ${n}`);
  const inputs = refusal.field === 'schedule start' ? ['start' as const] : refusal.field === 'schedule end' ? ['end' as const] : refusal.field === 'schedule destination' ? ['url' as const] : ['start' as const, 'end' as const];
  return { message: named === message ? `Schedule ${n}: ${message}` : named, row: refusal.schedule, inputs };
}

/** Errors a form answers with 422 (everything else is a problem page). */
export const isFormError = (e: unknown): e is DomainError =>
  e instanceof DomainError && ['VALIDATION', 'CODE_TAKEN', 'FEATURE_DENIED', 'QUOTA_EXCEEDED'].includes(e.code);
