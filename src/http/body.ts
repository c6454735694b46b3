/**
 * Reads a request body as JSON or form fields, never more than maxBytes, and
 * turns every malformed body into a VALIDATION error rather than a crash.
 * Form bodies come back as string values, as a browser or curl -d sends them,
 * nested where their names use PHP's brackets.
 */
import { DomainError } from '../errors.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

// a VALIDATION error, not a 413: the dialects that document a status for a bad payload name 400 (or their 422)
const tooLarge = (maxBytes: number) =>
  new DomainError('VALIDATION', `The request body is too large (at most ${maxBytes >= 1024 * 1024 ? `${maxBytes / (1024 * 1024)} MB` : `${maxBytes / 1024} KB`}).`, {
    field: 'body',
    reason: 'too_large',
    limit: maxBytes,
  });
const refused = (message: string, reason: string) => new DomainError('VALIDATION', message, { field: 'body', reason });

// text in a declared charset other than UTF-8 was read as UTF-8 and stored as U+FFFD: refused once it has a byte
// past ASCII (ASCII reads the same in every one of them: Java's HttpClient labels every form ISO-8859-1)
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;
const UTF8 = new Set(['utf-8', 'utf8', 'us-ascii']);

async function readText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const encoding = request.headers.get('content-encoding')?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') throw refused(`Compressed request bodies are not accepted (Content-Encoding: ${encoding.slice(0, 40)}): send the body as it is.`, 'encoded');
  const contentType = request.headers.get('content-type') ?? '';
  const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
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
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = Buffer.concat(chunks);
  if (charset !== undefined && !UTF8.has(charset) && bytes.some((b) => b > 0x7f)) {
    throw refused(`The request body must be UTF-8 (charset=${charset.slice(0, 40)} was declared).`, 'charset');
  }
  // a file part of a form may be any bytes (its string fields alone are read); text elsewhere must be UTF-8
  if (/multipart\//i.test(contentType)) return new TextDecoder().decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw refused('The request body is not valid UTF-8.', 'encoding');
  }
}

/**
 * A form's text is ASCII, its other characters percent-escaped: URLSearchParams reads escapes that are not
 * UTF-8 (`caf%E9` from a form encoded in ISO-8859-1) as U+FFFD, which would be stored. A `%` not followed by
 * two hex digits stays literal, as URLSearchParams keeps it.
 */
function checkEscapes(text: string, charset: string | undefined): void {
  if (!/%[89a-fA-F][0-9a-fA-F]/.test(text)) return;
  try {
    decodeURIComponent(text.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
  } catch {
    throw charset !== undefined && !UTF8.has(charset)
      ? refused(`The request body must be UTF-8 (charset=${charset.slice(0, 40)} was declared): percent-escape each character's UTF-8 bytes.`, 'charset')
      : refused('The request body is not valid UTF-8: percent-escape each character\'s UTF-8 bytes.', 'encoding');
  }
}

export type BodyKind = 'json' | 'form' | 'empty';

/** Deeper brackets than this are dropped, as PHP drops fields past max_input_nesting_level. */
const MAX_FIELD_DEPTH = 8;
/** Bracketed fields past this many are dropped, as PHP drops input past max_input_vars (1000 there). */
const MAX_NESTED_FIELDS = 1000;
/** How much of a name's brackets is read: enough for MAX_FIELD_DEPTH segments of any sensible length. */
const MAX_KEY_SCAN = 2048;
/** The bracket groups after a name, at most one past the depth limit (a deeper name is dropped anyway). */
const BRACKETS = new RegExp(`^((?:\\[[^\\]]*\\]){1,${MAX_FIELD_DEPTH + 1}})`);

/**
 * Form fields the way PHP (and so every Laravel service) reads them:
 * `utm[utm_source]=x` is {utm: {utm_source: x}}, `schedules[0][start_at]=…`
 * a list of objects, `tags[]=a&tags[]=b` a list. A later field wins over an
 * earlier one of the same name. Objects have no prototype ("__proto__" is data).
 */
export function phpFields(pairs: Iterable<[string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  // the next index "[]" appends at, per object: counting its keys each time made a body of a[]&a[]&… quadratic
  const nextIndex = new Map<object, number>();
  let nested = 0;
  for (const [key, value] of pairs) {
    const open = key.indexOf('[');
    // past the cap a bracketed name is dropped before any parsing, and at most one bracket past the
    // depth limit is read: a crafted body (a[][][]… or a[]&a[]&… to 1 MB) must cost what a plain one does
    if (open > 0 && nested >= MAX_NESTED_FIELDS) continue;
    const m = open > 0 ? BRACKETS.exec(key.slice(open, open + 2 + MAX_KEY_SCAN)) : null;
    if (!m) {
      out[key] = value;
      continue;
    }
    nested++;
    const path = [key.slice(0, open), ...[...m[1]!.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!)];
    // deeper than the limit (BRACKETS reads one group past it to tell): dropped, as PHP drops it
    if (path.length > MAX_FIELD_DEPTH + 1) continue;
    let node = out;
    for (let i = 0; i < path.length; i++) {
      const last = i === path.length - 1;
      let seg = path[i]!;
      if (i > 0) {
        const next = nextIndex.get(node) ?? 0;
        if (seg === '') seg = String(next);
        if (/^\d{1,9}$/.test(seg) && Number(seg) >= next) nextIndex.set(node, Number(seg) + 1);
      }
      if (last) node[seg] = value;
      else {
        const child = node[seg];
        node = (typeof child === 'object' && child !== null ? child : (node[seg] = Object.create(null))) as Record<string, unknown>;
      }
    }
  }
  return listsOf(out) as Record<string, unknown>;
}

/** Objects keyed 0..n-1 become arrays (PHP's lists), recursively. */
function listsOf(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  for (const k of keys) o[k] = listsOf(o[k]);
  return keys.length > 0 && keys.every((k, i) => k === String(i)) ? keys.map((k) => o[k]) : o;
}

/**
 * Returns the parsed body (an object/array for JSON, form fields as PHP
 * reads them (phpFields), {} for an empty body). Objects are rebuilt without a prototype so
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
    checkEscapes(text, CHARSET.exec(contentType)?.[1]?.toLowerCase());
    return { kind: 'form', value: phpFields(new URLSearchParams(text)) };
  }
  if (type.includes('multipart/form-data') && opts.allowForm !== false) {
    try {
      // the boundary is case-sensitive (browsers send ----WebKitFormBoundary…): the header as sent
      const form = await new Response(text, { headers: { 'content-type': contentType } }).formData();
      const fields: [string, string][] = [];
      for (const [k, v] of form) if (typeof v === 'string') fields.push([k, v]);
      return { kind: 'form', value: phpFields(fields) };
    } catch {
      throw new DomainError('VALIDATION', 'The request body is not valid form data.', { field: 'body', reason: 'invalid_form' });
    }
  }
  let halfCharacter = false;
  let value: unknown;
  try {
    value = JSON.parse(text, (k, v) => {
      // a \ud800 escape alone is half a character: SQLite would store U+FFFD in its place, changing what was sent
      if ((typeof v === 'string' && !v.isWellFormed()) || !k.isWellFormed()) halfCharacter = true;
      return k === '__proto__' ? undefined : v;
    });
  } catch {
    throw new DomainError('VALIDATION', 'The request body is not valid JSON.', { field: 'body', reason: 'invalid_json' });
  }
  if (halfCharacter) throw refused('The request body holds half of a character: a \\uD800–\\uDFFF escape must be one of a pair.', 'encoding');
  return { kind: 'json', value };
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
