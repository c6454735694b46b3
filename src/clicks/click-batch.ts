/**
 * Clicks on their way from the request thread to the database travel as
 * text: one line per click, tab-separated, packed when the click is recorded.
 * A click then costs the request thread one short string, and handing a
 * second's worth of clicks to the flush worker copies a few strings instead
 * of serialising thousands of objects in one go (which stalled redirects for
 * milliseconds once per flush and showed in the p99).
 */
import type { RawClick } from './clicks.types.ts';

/** Clicks packed by packClick, in order, in chunks of lines. */
export interface ClickBatch {
  chunks: string[];
  count: number;
}

// Tabs and newlines separate fields and clicks; header values may carry them, so they become spaces.
const clean = (s: string | null) => (s === null ? '\u0000' : s.includes('\t') || s.includes('\n') ? s.replace(/[\t\n]/g, ' ') : s);
const nul = (s: string | undefined) => (s === undefined || s === '\u0000' ? null : s);

/** One click as one line (\u0000 stands for null). */
export function packClick(c: RawClick): string {
  return `${c.linkId}\t${c.at}\t${clean(c.ip)}\t${clean(c.userAgent)}\t${clean(c.referrer)}\t${c.source}${c.viaApi ? '\tapi' : ''}\n`;
}

export function unpackClicks(chunks: string[]): RawClick[] {
  const clicks: RawClick[] = [];
  for (const chunk of chunks) {
    for (const line of chunk.split('\n')) {
      if (!line) continue;
      const [linkId, at, ip, ua, ref, source, via] = line.split('\t');
      const click: RawClick = { linkId: Number(linkId), at: Number(at), ip: nul(ip), userAgent: nul(ua), referrer: nul(ref), source: source === 'qr' ? 'qr' : 'link' };
      if (via === 'api') click.viaApi = true;
      clicks.push(click);
    }
  }
  return clicks;
}
