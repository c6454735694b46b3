/**
 * The analytics range picker's query: ?range=7|30|90 (days ending today, UTC,
 * the same calendar as the daily rollups) or a custom ?from=&to=. The core
 * checks that custom dates are real dates in order; this layer only caps the
 * span, because a chart with one bar per day stops being readable (and cheap)
 * past a year.
 */
import { DomainError } from '../errors.ts';
import { optionalText } from './form-values.ts';

export const PRESETS = ['7', '30', '90'] as const;
export type RangeKey = (typeof PRESETS)[number] | 'custom';
export const DEFAULT_RANGE = '30';
export const MAX_DAYS = 366;

export interface RangeChoice {
  key: RangeKey;
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** `days` days after `day`; a day that is no date is left for the core to refuse. */
const shiftDay = (day: string, days: number) => {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? day : dayOf(ms + days * DAY_MS);
};

/** @throws VALIDATION (meta.field from/to) for a custom span longer than MAX_DAYS */
export function parseRange(query: Record<string, unknown>, now = Date.now()): RangeChoice {
  // dates and range keys are identifiers: spaces around them (a pasted URL) do not count
  const trimmed = (v: unknown) => optionalText(v)?.trim();
  const from = trimmed(query.from);
  const to = trimmed(query.to);
  const range = trimmed(query.range);
  if (from || to) {
    // one end given: the default span ending on `to`, or from `from` to today (a future `from`: that day
    // alone, empty), not a refusal for a span "from today" (the API, which has no span limit, starts a
    // range with only `to` at the link's first day)
    const today = dayOf(now);
    const f = from || shiftDay(to!, 1 - Number(DEFAULT_RANGE));
    const t = to || (f > today ? f : today);
    const span = (Date.parse(`${t}T00:00:00Z`) - Date.parse(`${f}T00:00:00Z`)) / DAY_MS + 1;
    if (span > MAX_DAYS) throw new DomainError('VALIDATION', `Choose a range of at most ${MAX_DAYS} days.`, { field: 'from' });
    return { key: 'custom', from: f, to: t };
  }
  const key = (PRESETS as readonly string[]).includes(range ?? '') ? (range as RangeKey) : DEFAULT_RANGE;
  return { key, from: dayOf(now - (Number(key) - 1) * DAY_MS), to: dayOf(now) };
}
