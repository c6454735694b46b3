/**
 * lnkz response shapes. The document shows two date styles and two clicks
 * values, and clients parse what they were shown: stored URLs (list, get)
 * read "2023-07-04 10:00:00" with the click count; freshly created ones
 * (create, bulk) read Laravel's "2025-12-31T23:59:59.000000Z" with clicks null.
 */
import type { Link } from '../../../links/links.types.ts';

const sqlDate = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));
const laravelDate = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'));

export function presentStored(link: Link, shortUrl: (code: string) => string) {
  return { id: link.id, hash: link.code, shortUrl: shortUrl(link.code), url: link.destination, clicks: link.totalClicks, expiresAt: sqlDate(link.expiresAt) };
}

export function presentCreated(link: Link, shortUrl: (code: string) => string) {
  return { id: link.id, hash: link.code, shortUrl: shortUrl(link.code), url: link.destination, clicks: null, expiresAt: laravelDate(link.expiresAt) };
}
