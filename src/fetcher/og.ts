/**
 * Title, description and image of a fetched page, for link previews. A small
 * single-pass tokenizer rather than regexes over the whole document: it skips
 * comments, scripts and styles the way a browser does (so a <meta> inside a
 * script string does not count), honours quoted '>' inside attributes, and
 * never rescans, so a hostile page costs linear time.
 */
import { cutAt } from '../text.ts';
import type { SafeFetcher } from './safe-fetch.ts';

export interface PageMeta {
  title: string | null;
  description: string | null;
  image: string | null;
}

const MAX_TITLE = 500;
const MAX_DESCRIPTION = 1000;
const MAX_IMAGE_URL = 2048;

export function extractPageMeta(html: string, baseUrl: string): PageMeta {
  const { metas, title, baseHref } = scan(html);
  const pick = (...keys: string[]) => {
    for (const key of keys) {
      const value = metas.get(key);
      if (value !== undefined && clean(value) !== '') return value;
    }
    return undefined;
  };
  const titleRaw = pick('og:title', 'twitter:title') ?? title;
  const descriptionRaw = pick('og:description', 'description', 'twitter:description');
  const imageRaw = pick('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src');
  return {
    title: capped(titleRaw, MAX_TITLE),
    description: capped(descriptionRaw, MAX_DESCRIPTION),
    image: imageRaw === undefined ? null : absoluteHttpUrl(decodeEntities(imageRaw).trim(), baseHref, baseUrl),
  };
}

/** Link-preview lookup for link creation, which must never fail because of it: null on any failure. */
export function createMetaFetcher(fetcher: Pick<SafeFetcher, 'fetchHtml'>) {
  return async (url: string): Promise<PageMeta | null> => {
    try {
      const page = await fetcher.fetchHtml(url);
      return extractPageMeta(page.html, page.finalUrl);
    } catch {
      return null;
    }
  };
}

function capped(raw: string | null | undefined, max: number): string | null {
  if (raw === null || raw === undefined) return null;
  const text = clean(raw);
  if (text === '') return null;
  return cutAt(text, max).trimEnd();
}

const clean = (raw: string) => decodeEntities(raw).replace(/\s+/g, ' ').trim();

function absoluteHttpUrl(raw: string, baseHref: string | null, pageUrl: string): string | null {
  if (raw === '') return null;
  try {
    const base = baseHref ? new URL(baseHref, pageUrl) : new URL(pageUrl);
    const url = new URL(raw, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.href.length > MAX_IMAGE_URL ? null : url.href;
  } catch {
    return null;
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** One pass, so "&amp;lt;" becomes "&lt;" and not "<". */
export function decodeEntities(s: string): string {
  return s.replace(/&(?:#[xX]([0-9a-fA-F]{1,8});?|#([0-9]{1,10});?|([a-zA-Z]+);)/g, (whole, hex, dec, name) => {
    if (name !== undefined) return NAMED[name.toLowerCase()] ?? whole;
    const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    const valid = cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    return valid ? String.fromCodePoint(cp) : '\ufffd';
  });
}

// Tokenizer ------------------------------------------------------------------

const TAG_START = /<(!--|\/?[a-zA-Z][a-zA-Z0-9:-]*)/g;
const ATTRIBUTE = /([^\s"'>\/=][^\s"'>\/=]*)(?:\s*=\s*(?:"([^"]*)"?|'([^']*)'?|([^\s>]*)))?/y;
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'noscript', 'template']);

interface Scan {
  metas: Map<string, string>; // first content per property/name, lowercased key
  title: string | null;
  baseHref: string | null;
}

function scan(html: string): Scan {
  const out: Scan = { metas: new Map(), title: null, baseHref: null };
  let i = 0;
  for (;;) {
    TAG_START.lastIndex = i;
    const m = TAG_START.exec(html);
    if (!m) return out;
    const tag = m[1]!.toLowerCase();
    if (tag === '!--') {
      const end = html.indexOf('-->', TAG_START.lastIndex);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const { attrs, end } = readAttributes(html, TAG_START.lastIndex);
    i = end;
    if (tag === 'meta') {
      const key = (attrs.get('property') ?? attrs.get('name') ?? attrs.get('itemprop'))?.trim().toLowerCase();
      const content = attrs.get('content');
      if (key && content !== undefined && !out.metas.has(key)) out.metas.set(key, content);
    } else if (tag === 'base' && out.baseHref === null) {
      out.baseHref = attrs.get('href')?.trim() || null;
    } else if (RAW_TEXT.has(tag)) {
      // raw text runs to the matching close tag; nothing inside is markup
      const close = new RegExp(`</${tag}[\\s/>]`, 'gi');
      close.lastIndex = i;
      const c = close.exec(html);
      const stop = c ? c.index : html.length;
      if (tag === 'title' && out.title === null) out.title = html.slice(i, stop);
      i = stop;
    }
  }
}

/** Reads attributes from `from` to the end of the tag; an unclosed quote runs on, as in browsers. */
function readAttributes(html: string, from: number): { attrs: Map<string, string>; end: number } {
  const attrs = new Map<string, string>();
  let p = from;
  while (p < html.length) {
    const ch = html[p]!;
    if (ch === '>') return { attrs, end: p + 1 };
    if (/[\s/]/.test(ch)) {
      p++;
      continue;
    }
    ATTRIBUTE.lastIndex = p;
    const m = ATTRIBUTE.exec(html);
    if (!m) {
      p++; // a stray quote or '='
      continue;
    }
    const name = m[1]!.toLowerCase();
    if (!attrs.has(name)) attrs.set(name, m[2] ?? m[3] ?? m[4] ?? '');
    p = ATTRIBUTE.lastIndex;
  }
  return { attrs, end: html.length };
}
