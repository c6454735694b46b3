/**
 * Saved QR codes (the Minilnk QR object) and ad-hoc QR images of short links.
 * A QR code tied to a link is dynamic: it encodes the link's short URL with a
 * `qr=1` marker, so the redirect can count its scans as clicks with source
 * 'qr' and the link's destination can change without reprinting the code.
 */
import type { Actor } from '../accounts/accounts.types.ts';
import { DomainError } from '../errors.ts';
import type { LinksService } from '../links/links.service.ts';
import type { Page } from '../links/links.types.ts';
import { pageWindow } from '../paging.ts';
import { charLength } from '../text.ts';
import type { QrRepo } from './qr.repo.ts';
import { ERROR_CORRECTIONS, QR_TYPES, type ErrorCorrection, type QrCode, type QrStyle, type QrType } from './qr.types.ts';
import { drawFitting, fitsQr, renderPng, renderSvg } from './render.ts';

export const QR_SCAN_PARAM = 'qr';
const HEX = /^#[0-9a-fA-F]{6}$/;
const MAX_NAME = 255;
const MAX_CONTENT = 1000;
/** Why a saved code has no image: only codes saved before capacity was checked on save. */
export const UNDRAWABLE = 'The content of this QR code is too long to draw; edit it to shorten it.';
export const DEFAULT_STYLE: QrStyle = { foregroundColor: '#000000', backgroundColor: '#FFFFFF', margin: 4, size: 300, errorCorrection: 'M' };

export interface QrInput {
  name: string;
  type: QrType;
  content: string;
  foregroundColor?: string;
  backgroundColor?: string;
  margin?: number;
  size?: number;
  errorCorrection: ErrorCorrection;
  linkId?: number | null;
}

/** Colours other than the defaults: what a plan without QR colours cannot choose, but keeps once saved. */
export const hasOwnColours = (s: Pick<QrStyle, 'foregroundColor' | 'backgroundColor'>) =>
  s.foregroundColor.toUpperCase() !== DEFAULT_STYLE.foregroundColor || s.backgroundColor.toUpperCase() !== DEFAULT_STYLE.backgroundColor;

const invalid = (field: string, message: string) => new DomainError('VALIDATION', message, { field });

/** @throws VALIDATION */
export function checkColor(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !HEX.test(value)) throw invalid(field, `The ${field.replace(/_/g, ' ')} field format is invalid (use #RRGGBB).`);
  return value.toUpperCase();
}

function intIn(value: unknown, min: number, max: number, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(field, `The ${field} field must be an integer.`);
  if (value < min || value > max) throw invalid(field, `The ${field} field must be between ${min} and ${max}.`);
  return value;
}

/** What the QR image encodes for a given type and content. */
export function payloadFor(type: QrType, content: string): string {
  switch (type) {
    case 'email':
      return /^mailto:/i.test(content) ? content : `mailto:${content}`;
    case 'phone':
      return /^tel:/i.test(content) ? content : `tel:${content.replace(/[^\d+]/g, '')}`;
    case 'sms':
      return /^sms(to)?:/i.test(content) ? content : `SMSTO:${content}`;
    case 'url':
      return asciiUrl(content);
    default:
      return content;
  }
}

/**
 * A web address as every scanner reads it: non-ASCII host in punycode, the rest percent-encoded. Written
 * as typed, its UTF-8 bytes carry no ECI mark, and scanners guess another charset (https://bücher.example
 * came out of zbar as "b羹cher"). Anything URL cannot parse is left as typed.
 */
function asciiUrl(content: string): string {
  if (/^[\x20-\x7e]*$/.test(content)) return content;
  try {
    const url = new URL(content);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : content;
  } catch {
    return content;
  }
}

/** Why content cannot be drawn at this error correction (the symbol's capacity), or null when it fits. */
export function capacityProblem(type: QrType, content: string, errorCorrection: ErrorCorrection): string | null {
  if (fitsQr(payloadFor(type, content), errorCorrection)) return null;
  const hint = errorCorrection === 'L' ? 'shorten it' : 'shorten it or choose a lower error correction';
  return `The content field is too long for a QR code at error correction ${errorCorrection}: ${hint}.`;
}

export function createQrService(deps: { qr: QrRepo; links: LinksService; shortUrl: (code: string) => string }) {
  const { qr, links, shortUrl } = deps;

  /**
   * The input checked, with defaults filled in. `saved` is the code being edited: colours left out keep
   * its own, and its own colours count as chosen already, so a user whose plan lost QR colours can still
   * save the code (renamed, say) as it is, as a link keeps its password on such a plan; setting new
   * colours is still refused.
   */
  async function validate(actor: Actor, input: QrInput, saved: QrCode | null = null) {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name) throw invalid('name', 'The name field is required.');
    if (charLength(name) > MAX_NAME) throw invalid('name', `The name field must not be greater than ${MAX_NAME} characters.`);
    if (!QR_TYPES.includes(input.type)) throw invalid('type', 'The selected type is invalid.');
    const content = typeof input.content === 'string' ? input.content.trim() : '';
    if (!content) throw invalid('content', 'The content field is required.');
    if (charLength(content) > MAX_CONTENT) throw invalid('content', `The content field must not be greater than ${MAX_CONTENT} characters.`);
    if (!ERROR_CORRECTIONS.includes(input.errorCorrection)) throw invalid('error_correction', 'The selected error correction is invalid.');
    // checked even for a dynamic code: its image falls back to the content once its link is deleted
    const tooLong = capacityProblem(input.type, content, input.errorCorrection);
    if (tooLong) throw invalid('content', tooLong);
    const kept = saved ?? DEFAULT_STYLE;
    const fg = checkColor(input.foregroundColor, 'foreground_color') ?? kept.foregroundColor.toUpperCase();
    const bg = checkColor(input.backgroundColor, 'background_color') ?? kept.backgroundColor.toUpperCase();
    const chosen = (colour: string, key: 'foregroundColor' | 'backgroundColor') =>
      colour !== DEFAULT_STYLE[key] && colour !== kept[key].toUpperCase();
    if ((chosen(fg, 'foregroundColor') || chosen(bg, 'backgroundColor')) && !actor.plan.qrColors) {
      throw new DomainError('FEATURE_DENIED', 'Custom QR colours require a Pro or Enterprise plan.', { feature: 'qrColors', plan: actor.plan.name });
    }
    let linkId: number | null = null;
    if (input.linkId !== undefined && input.linkId !== null) {
      if (!Number.isInteger(input.linkId)) throw invalid('link_id', 'The link id field must be an integer.');
      const link = await links.get(actor, input.linkId).catch(() => {
        throw invalid('link_id', 'The selected link id is invalid.');
      });
      linkId = link.id;
    }
    return {
      name,
      type: input.type,
      content,
      foregroundColor: fg,
      backgroundColor: bg,
      margin: intIn(input.margin, 0, 10, 'margin', DEFAULT_STYLE.margin),
      size: intIn(input.size, 100, 1000, 'size', DEFAULT_STYLE.size),
      errorCorrection: input.errorCorrection,
      linkId,
    };
  }

  async function payloadOf(code: QrCode): Promise<string> {
    if (code.linkId !== null) {
      const link = await links.findUndeleted(code.linkId);
      if (link) return `${shortUrl(link.code)}?${QR_SCAN_PARAM}=1`;
    }
    return payloadFor(code.type, code.content);
  }

  return {
    /** @throws VALIDATION, FEATURE_DENIED */
    async create(actor: Actor, input: QrInput): Promise<QrCode> {
      return qr.insert({ userId: actor.user.id, ...(await validate(actor, input)) });
    },

    /** @throws NOT_FOUND */
    async get(actor: Actor, id: number): Promise<QrCode> {
      const found = Number.isSafeInteger(id) ? await qr.findForUser(actor.user.id, id) : null;
      if (!found) throw new DomainError('NOT_FOUND', 'QR code not found.');
      return found;
    },

    async list(actor: Actor, q: { search?: string; page: number; perPage: number }): Promise<Page<QrCode>> {
      const { page, perPage, offset } = pageWindow(q);
      const search = q.search?.trim() || undefined;
      // longer than any name can be: matches nothing, known without reading a row
      if (search !== undefined && charLength(search) > MAX_NAME) return { items: [], total: 0, page, perPage };
      const { items, total } = await qr.list(actor.user.id, search, perPage, offset);
      return { items, total, page, perPage };
    },

    /** @throws NOT_FOUND, VALIDATION, FEATURE_DENIED */
    async update(actor: Actor, id: number, input: QrInput): Promise<QrCode> {
      const saved = await this.get(actor, id);
      const updated = await qr.update(actor.user.id, id, await validate(actor, input, saved));
      if (!updated) throw new DomainError('NOT_FOUND', 'QR code not found.');
      return updated;
    },

    /** @throws NOT_FOUND */
    async remove(actor: Actor, id: number): Promise<void> {
      if (!Number.isSafeInteger(id) || !(await qr.remove(actor.user.id, id))) throw new DomainError('NOT_FOUND', 'QR code not found.');
    },

    /** Whether its image encodes its link's short URL (and scans are counted): false once the link is deleted. */
    isDynamic: async (code: QrCode) => code.linkId !== null && (await links.findUndeleted(code.linkId)) !== null,
    /** The saved code's image; null when its content cannot be drawn (see UNDRAWABLE). */
    svg: async (code: QrCode) => drawFitting(await payloadOf(code), code, renderSvg),
    png: async (code: QrCode) => drawFitting(await payloadOf(code), code, renderPng),

    /** A preview of unsaved settings (the designer), of a new code or of edits to `saved`. @throws VALIDATION, FEATURE_DENIED */
    async preview(actor: Actor, input: QrInput, saved: QrCode | null = null): Promise<string> {
      const v = await validate(actor, input, saved);
      const payload = v.linkId !== null ? `${shortUrl((await links.get(actor, v.linkId)).code)}?${QR_SCAN_PARAM}=1` : payloadFor(v.type, v.content);
      return renderSvg(payload, v);
    },

    /** An image of any payload (a short URL) with explicit style, for routes that render on the fly. */
    renderSvg,
    renderPng,
  };
}
export type QrService = ReturnType<typeof createQrService>;
