/**
 * "Where does this short link really go?" Traces redirects through the safe
 * fetcher, so every hop gets the same SSRF checks as a preview fetch.
 */
import { DomainError } from '../errors.ts';
import { charLength } from '../text.ts';
import { MAX_URL_LENGTH } from '../links/url-policy.ts';
import type { RedirectHop, SafeFetcher } from './safe-fetch.ts';

export interface Unshortened {
  originalUrl: string;
  destinationUrl: string;
  redirectChain: RedirectHop[];
  redirectCount: number;
}

/**
 * Returns `(url) => Promise<Unshortened>`. Throws VALIDATION (meta.field
 * 'url') when the input is not an http(s) URL, and FETCH_FAILED (meta.reason
 * from the fetcher) when tracing fails or a hop is refused.
 */
export function createUnshortener(fetcher: Pick<SafeFetcher, 'followRedirects'>) {
  return async (url: unknown): Promise<Unshortened> => {
    const originalUrl = checkInput(url);
    const trace = await fetcher.followRedirects(originalUrl);
    return {
      originalUrl,
      destinationUrl: trace.finalUrl,
      redirectChain: trace.chain,
      redirectCount: trace.chain.length,
    };
  };
}

export type Unshortener = ReturnType<typeof createUnshortener>;

// Input problems are the caller's to fix, so they are VALIDATION rather than
// the fetcher's 'scheme' refusal, which is kept for where a redirect leads.
// Not checkDestination: a private or local address here is the fetcher's to
// refuse (its FETCH_FAILED reason says why, where the input checks only say "invalid"),
// and LinkShrink's messages say "The url must…", not "The url field must…".
// The length limit is the link policy's, so any destination can be traced.
function checkInput(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new DomainError('VALIDATION', 'The url field is required.', { field: 'url', reason: 'required' });
  }
  const value = raw.trim();
  if (charLength(value) > MAX_URL_LENGTH) {
    throw new DomainError('VALIDATION', `The url must not be greater than ${MAX_URL_LENGTH} characters.`, { field: 'url', reason: 'too_long' });
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DomainError('VALIDATION', 'The url must be a valid URL.', { field: 'url', reason: 'invalid' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError('VALIDATION', 'The url must use http or https.', { field: 'url', reason: 'scheme' });
  }
  return value;
}
