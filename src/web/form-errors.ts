/**
 * The core names the field a refusal is about in DomainError.meta.field;
 * every dashboard form shows such a refusal beside that field instead of on
 * a problem page. Which codes count differs per form (an alias form also
 * shows CODE_TAKEN there), so the caller lists them.
 */
import { DomainError, type ErrorCode } from '../errors.ts';
import type { FieldError } from '../../views/dashboard/field-error.ts';

// the core words its refusals as the APIs' clients read them, naming the request's fields ("The url
// field must be a valid URL."); a form names what its labels say
const LABELS: Record<string, string> = { url: 'destination URL', 'expires at': 'expiry date', 'thumbnail url': 'image URL' };

/** A core message as the dashboard says it: "The url field must …" → "The destination URL must …". */
export function inFormWords(message: string): string {
  return message.replace(/^The ([a-z][a-z0-9 ._]*?) field /, (_, name: string) => `The ${LABELS[name] ?? name} `);
}

/** The refusal as a message for its field, or null for errors the kit reports (NOT_FOUND …). */
export function fieldErrorOf(e: unknown, codes: readonly ErrorCode[] = ['VALIDATION']): FieldError {
  return e instanceof DomainError && codes.includes(e.code) && typeof e.meta.field === 'string' ? { field: e.meta.field, message: inFormWords(e.message) } : null;
}

/** What a refusal for the plan's link limit adds for a person: expired links count until deleted. */
export function quotaHint(e: DomainError): string {
  const expired = Number(e.meta.expired ?? 0);
  if (e.code !== 'QUOTA_EXCEEDED' || !(expired > 0)) return '';
  return ` ${expired.toLocaleString('en')} of your links ${expired === 1 ? 'has' : 'have'} expired and still ${expired === 1 ? 'counts' : 'count'}: delete ${expired === 1 ? 'it' : 'them'} to make room.`;
}
