/**
 * The QR designer's form, both ways: the browser's strings → the core's
 * QrInput (the core validates; this only converts), and a saved QR code →
 * the strings the form shows. Values are kept as typed so a refused form
 * comes back exactly as the person left it.
 */
import type { QrCode } from '../qr/qr.types.ts';
import { DEFAULT_STYLE, type QrInput } from '../qr/qr.service.ts';
import { DomainError } from '../errors.ts';
import type { FieldError } from '../../views/dashboard/field-error.ts';
import { fieldErrorOf } from './form-errors.ts';
import { optionalText } from './form-values.ts';

export const QR_FIELDS = ['name', 'type', 'content', 'link_id', 'foreground_color', 'background_color', 'margin', 'size', 'error_correction'] as const;
export type QrField = (typeof QR_FIELDS)[number];
export type QrFormValues = Record<QrField, string>;

export const NEW_QR_VALUES: QrFormValues = {
  name: '',
  type: 'url',
  content: '',
  link_id: '',
  foreground_color: DEFAULT_STYLE.foregroundColor,
  background_color: DEFAULT_STYLE.backgroundColor,
  margin: String(DEFAULT_STYLE.margin),
  size: String(DEFAULT_STYLE.size),
  error_correction: DEFAULT_STYLE.errorCorrection,
};

/** @param saved the code being edited, if any */
export function valuesFromForm(form: Record<string, unknown>, saved: QrCode | null = null): QrFormValues {
  // colour inputs are disabled (so not sent) on plans without QR colours: a saved code's own colours
  // stand (the core keeps them too), else the defaults
  const out = saved ? { ...NEW_QR_VALUES, foreground_color: saved.foregroundColor, background_color: saved.backgroundColor } : { ...NEW_QR_VALUES };
  for (const f of QR_FIELDS) out[f] = optionalText(form[f]) ?? out[f];
  return out;
}

export function valuesFromQr(q: QrCode): QrFormValues {
  return {
    name: q.name,
    type: q.type,
    content: q.content,
    link_id: q.linkId === null ? '' : String(q.linkId),
    foreground_color: q.foregroundColor,
    background_color: q.backgroundColor,
    margin: String(q.margin),
    size: String(q.size),
    error_correction: q.errorCorrection,
  };
}

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

/**
 * Colours go to the core only when the form sent them, so plans without colours never trip FEATURE_DENIED
 * by accident, and a code being edited keeps its own (the core's rule for colours left out).
 */
export function toQrInput(v: QrFormValues, form: Record<string, unknown>): QrInput {
  return {
    name: v.name,
    type: v.type as QrInput['type'],
    content: v.content,
    foregroundColor: typeof form.foreground_color === 'string' ? v.foreground_color : undefined,
    backgroundColor: typeof form.background_color === 'string' ? v.background_color : undefined,
    margin: num(v.margin),
    size: num(v.size),
    errorCorrection: v.error_correction as QrInput['errorCorrection'],
    linkId: v.link_id.trim() === '' ? null : Number(v.link_id),
  };
}

/** A refusal the form can show next to a field, or null for errors the kit reports (NOT_FOUND …). */
export function fieldError(e: unknown): FieldError {
  const error = fieldErrorOf(e);
  if (error) return error;
  if (e instanceof DomainError && e.code === 'FEATURE_DENIED' && e.meta.feature === 'qrColors') return { field: 'foreground_color', message: e.message };
  return null;
}
