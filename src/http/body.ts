/**
 * Reads a request body as JSON or form fields, never more than maxBytes, and
 * turns every malformed body into a VALIDATION error rather than a crash.
 * Form bodies come back as string values, as a browser or curl -d sends them.
 */
import { DomainError } from '../errors.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

async function readText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new DomainError('VALIDATION', 'The request body is too large.', { field: 'body', reason: 'too_large' });
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new DomainError('VALIDATION', 'The request body is too large.', { field: 'body', reason: 'too_large' });
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export type BodyKind = 'json' | 'form' | 'empty';

/**
 * Returns the parsed body (an object/array for JSON, a record of strings for
 * forms, {} for an empty body). Objects are rebuilt without a prototype so
 * "__proto__" keys are plain data.
 */
export async function readBody(request: Request, opts: { maxBytes?: number; allowForm?: boolean } = {}): Promise<{ kind: BodyKind; value: unknown }> {
  let text: string;
  try {
    text = await readText(request, opts.maxBytes ?? MAX_BODY_BYTES);
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw new DomainError('VALIDATION', 'The request body could not be read.', { field: 'body', reason: 'unreadable' });
  }
  const contentType = request.headers.get('content-type') ?? '';
  const type = contentType.toLowerCase();
  if (text.trim() === '') return { kind: 'empty', value: {} };
  if (type.includes('application/x-www-form-urlencoded') && opts.allowForm !== false) {
    const out: Record<string, string> = Object.create(null);
    for (const [k, v] of new URLSearchParams(text)) out[k] = v;
    return { kind: 'form', value: out };
  }
  if (type.includes('multipart/form-data') && opts.allowForm !== false) {
    try {
      // the boundary is case-sensitive (browsers send ----WebKitFormBoundary…): the header as sent
      const form = await new Response(text, { headers: { 'content-type': contentType } }).formData();
      const out: Record<string, string> = Object.create(null);
      for (const [k, v] of form) if (typeof v === 'string') out[k] = v;
      return { kind: 'form', value: out };
    } catch {
      throw new DomainError('VALIDATION', 'The request body is not valid form data.', { field: 'body', reason: 'invalid_form' });
    }
  }
  try {
    return { kind: 'json', value: JSON.parse(text, (k, v) => (k === '__proto__' ? undefined : v)) };
  } catch {
    throw new DomainError('VALIDATION', 'The request body is not valid JSON.', { field: 'body', reason: 'invalid_json' });
  }
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
