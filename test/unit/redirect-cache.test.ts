/**
 * The redirect cache against a write that lands while a cache miss is being
 * read: the answer read before the write must not be cached after it, or a
 * deleted (or edited) link would keep redirecting from memory.
 */
import { describe, expect, test } from 'bun:test';
import type { LinksRepo } from '../../src/links/links.repo.ts';
import { createLinksService } from '../../src/links/links.service.ts';
import type { RedirectTarget } from '../../src/links/links.types.ts';
import { createRedirectCache } from '../../src/links/redirect-cache.ts';

const target: RedirectTarget = {
  id: 1, destination: 'https://example.com/', redirectMode: 'direct', passwordHash: null, expiresAt: null,
  isActive: true, utm: null, schedules: [], page: null,
};

/** A links service whose redirect lookup answers only when told to. */
function slowLookup() {
  let answer!: (t: RedirectTarget | null) => void;
  const repo = { findRedirectTarget: () => new Promise<RedirectTarget | null>((r) => (answer = r)) } as unknown as LinksRepo;
  const cache = createRedirectCache();
  const links = createLinksService({ links: repo, cache, allowPrivateTargets: false });
  return { links, cache, answer: (t: RedirectTarget | null) => answer(t) };
}

describe('redirect cache', () => {
  test('a lookup read before an invalidation is answered but not cached', async () => {
    const s = slowLookup();
    const resolving = s.links.resolve('abc');
    s.cache.invalidate('abc'); // the link is deleted while its row is on its way
    s.answer(target);
    expect(await resolving).toEqual(target);
    expect(s.cache.get('abc')).toBeUndefined();
  });

  test('without an invalidation in between, the lookup is cached', async () => {
    const s = slowLookup();
    const resolving = s.links.resolve('abc');
    s.answer(target);
    await resolving;
    expect(s.cache.get('abc')).toEqual(target);
  });
});
