/**
 * The core names the field a refusal is about in DomainError.meta.field;
 * every dashboard form shows such a refusal beside that field instead of on
 * a problem page. Which codes count differs per form (an alias form also
 * shows CODE_TAKEN there), so the caller lists them.
 */
import { DomainError, type ErrorCode } from '../errors.ts';
import type { FieldError } from '../../views/dashboard/field-error.ts';

/** The refusal as a message for its field, or null for errors the kit reports (NOT_FOUND …). */
export function fieldErrorOf(e: unknown, codes: readonly ErrorCode[] = ['VALIDATION']): FieldError {
  return e instanceof DomainError && codes.includes(e.code) && typeof e.meta.field === 'string' ? { field: e.meta.field, message: e.message } : null;
}
