/**
 * A refused form field: its message under the input, and the aria that ties
 * the input to it, so a screen reader reads the message with the field. Forms
 * that refuse one field at a time carry a FieldError; forms that can refuse
 * several keep a map of messages by field name. Both render the same markup.
 */
import { html, type SafeHtml } from '../html.ts';

export type FieldError = { field: string; message: string } | null;

export const fieldErrorId = (name: string) => `${name}-error`;

/** The message of a one-field error, if it is about this field. */
export const messageFor = (error: FieldError | undefined, field: string) => (error?.field === field ? error.message : undefined);

export const ariaInvalid = (error: string | null | undefined) => (error ? html` aria-invalid="true"` : null);

/** aria-invalid and aria-describedby for an input with an optional error and hint. */
export function inputAria(name: string, error: string | null | undefined, hintId: string | null = null): SafeHtml {
  const ids = [hintId, error ? fieldErrorId(name) : null].filter(Boolean).join(' ');
  return html`${ariaInvalid(error)}${ids ? html` aria-describedby="${ids}"` : null}`;
}

/**
 * The message under the input `name` (id from fieldErrorId), or nothing.
 * `alert` adds role="alert", so assistive technology announces the message
 * as soon as it appears.
 */
export const fieldErrorText = (name: string, error: string | null | undefined, alert = false) =>
  error ? html`<p class="field-error" id="${fieldErrorId(name)}"${alert ? html` role="alert"` : null}>${error}</p>` : null;
