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
  let reading!: () => void;
  const readStarted = new Promise<void>((r) => (reading = r));
  const repo = {
    findRedirectTargets: (codes: string[]) => {
      reading();
      return new Promise<Map<string, RedirectTarget>>((r) => (answer = (t) => r(new Map(t ? [[codes[0]!, t]] : []))));
    },
  } as unknown as LinksRepo;
  const cache = createRedirectCache();
  const links = createLinksService({ links: repo, cache, policy: { allowPrivateTargets: false } });
  return { links, cache, readStarted, answer: (t: RedirectTarget | null) => answer(t) };
}

describe('redirect cache', () => {
  test('a lookup read before an invalidation is answered but not cached', async () => {
    const s = slowLookup();
    const resolving = s.links.resolve('abc');
    await s.readStarted;
    s.cache.invalidate('abc'); // the link is deleted while its row is on its way
    s.answer(target);
    expect(await resolving).toEqual(target);
    expect(s.cache.get('abc')).toBeUndefined();
  });

  test('an invalidation before the read begins does not stop what the read finds from being cached', async () => {
    const s = slowLookup();
    const resolving = s.links.resolve('abc');
    s.cache.invalidate('abc'); // the miss waits for the end of the turn; the read comes after the write
    await s.readStarted;
    s.answer(target);
    await resolving;
    expect(s.cache.get('abc')).toEqual(target);
  });

  test('without an invalidation in between, the lookup is cached', async () => {
    const s = slowLookup();
    const resolving = s.links.resolve('abc');
    await s.readStarted;
    s.answer(target);
    await resolving;
    expect(s.cache.get('abc')).toEqual(target);
  });
});

const plain = (id: number, destination = `https://example.com/${id}`): RedirectTarget => ({ ...target, id, destination });

describe('what the cache holds', () => {
  test('a target comes back field for field: expiry, paused, mode, unicode destinations', () => {
    const cache = createRedirectCache();
    const cases: [string, RedirectTarget][] = [
      ['plain', plain(7)],
      ['expires', { ...plain(8), expiresAt: 1_900_000_000_123 }],
      ['paused', { ...plain(9), isActive: false }],
      ['unicode', plain(10, 'https://bücher.example/straße?q=日本語&e=😀')],
      ['big-id', plain(2 ** 40)],
    ];
    for (const [code, t] of cases) cache.set(code, t);
    for (const [code, t] of cases) expect(cache.get(code)).toEqual(t);
    expect(cache.size).toBe(cases.length);
  });

  test('links with a password, UTM, schedules or a page keep every field', () => {
    const cache = createRedirectCache();
    const rich: RedirectTarget = {
      ...plain(11),
      redirectMode: 'bridge',
      passwordHash: '$2a$10$abcdefghijklmnopqrstuv',
      utm: { source: 'news', medium: null, campaign: 'x', term: null, content: null },
      schedules: [{ id: 1, startsAt: 5, endsAt: null, destination: 'https://example.org/' }],
      page: { title: 'T', description: null, thumbnailUrl: null, delaySeconds: 3 },
    };
    cache.set('rich', rich);
    cache.set('preview', { ...plain(12), redirectMode: 'preview', page: { title: null, description: 'd', thumbnailUrl: null, delaySeconds: 0 } });
    expect(cache.get('rich')).toEqual(rich);
    expect(cache.get('preview')?.redirectMode).toBe('preview');
  });

  test('unknown codes are cached as null; a code never cached is undefined', () => {
    const cache = createRedirectCache();
    cache.set('nope', null);
    expect(cache.get('nope')).toBeNull();
    expect(cache.get('other')).toBeUndefined();
  });

  test('set replaces and invalidate removes, in either generation', () => {
    const cache = createRedirectCache(4);
    cache.set('old', plain(1));
    cache.set('fill1', plain(2));
    cache.set('fill2', plain(3)); // 'old' is now in the older generation
    cache.set('old', plain(4, 'https://example.com/moved'));
    expect(cache.get('old')).toEqual(plain(4, 'https://example.com/moved'));
    cache.invalidate('fill1');
    expect(cache.get('fill1')).toBeUndefined();
    cache.invalidate('old');
    expect(cache.get('old')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  test('bounded: past maxEntries the oldest half goes, the newest stay', () => {
    const cache = createRedirectCache(1000);
    for (let i = 0; i < 10_000; i++) cache.set(`code${i}`, i % 3 ? plain(i) : null);
    expect(cache.size).toBeLessThanOrEqual(1000);
    expect(cache.size).toBeGreaterThanOrEqual(500);
    expect(cache.get('code0')).toBeUndefined();
    for (let i = 9_500; i < 10_000; i++) expect(cache.get(`code${i}`)).toEqual(i % 3 ? plain(i) : null);
  });

  test('bounded in bytes too: long destinations turn the generations over sooner', () => {
    const cache = createRedirectCache(100_000, 1024 * 1024);
    const long = 'https://example.com/' + 'a'.repeat(2000);
    for (let i = 0; i < 2_000; i++) cache.set(`long${i}`, plain(i, long));
    expect(cache.size).toBeLessThan(520); // ~2 KB a record: ~256 per half-megabyte generation
    expect(cache.get('long1999')).toEqual(plain(1999, long));
    // a record larger than a whole generation's bound is still cached
    const huge = createRedirectCache(10, 64);
    huge.set('big', plain(1, long));
    expect(huge.get('big')).toEqual(plain(1, long));
  });

  test('any byte bound, a multiple of 8 or not, keeps every field intact as the arenas grow', () => {
    for (const maxBytes of [200_004, 1_000_003, 99]) {
      const cache = createRedirectCache(100_000, maxBytes);
      const long = (i: number) => plain(i, `https://example.com/${i}/${'x'.repeat(i % 97)}`);
      for (let i = 0; i < 20_000; i++) cache.set(`c${i}`, { ...long(i), expiresAt: 1e12 + i });
      let held = 0;
      for (let i = 0; i < 20_000; i++) {
        const got = cache.get(`c${i}`);
        if (got === undefined) continue;
        held++;
        expect(got).toEqual({ ...long(i), expiresAt: 1e12 + i });
      }
      expect(held).toBe(cache.size);
      expect(held).toBeGreaterThan(0);
    }
  });

  test('a link edited over and over does not keep its old versions alive', () => {
    const cache = createRedirectCache();
    const rich = (i: number): RedirectTarget => ({ ...plain(1), redirectMode: 'bridge', page: { title: `v${i}`, description: 'x'.repeat(1000), thumbnailUrl: null, delaySeconds: 0 } });
    let first: WeakRef<RedirectTarget>;
    (() => {
      const t0 = rich(0);
      first = new WeakRef(t0);
      cache.set('edited', t0);
    })();
    for (let i = 1; i <= 1000; i++) {
      cache.invalidate('edited');
      cache.set('edited', rich(i));
    }
    Bun.gc(true);
    expect(first!.deref()).toBeUndefined();
    expect(cache.get('edited')?.page?.title).toBe('v1000');
    expect(cache.size).toBe(1);
  });

  test('a redirect mode the records do not know is kept as the object', () => {
    const cache = createRedirectCache();
    const odd = { ...plain(5), redirectMode: 'interstitial' } as unknown as RedirectTarget;
    cache.set('odd', odd);
    expect(cache.get('odd')).toEqual(odd);
  });

  test('a key that cannot be a code (non-ASCII, over 255 characters) is never cached, and never confused', () => {
    const cache = createRedirectCache();
    cache.set('é-code', plain(1));
    cache.set('x'.repeat(300), plain(2));
    expect(cache.get('é-code')).toBeUndefined();
    expect(cache.get('x'.repeat(300))).toBeUndefined();
    cache.set('abc', plain(3));
    expect(cache.get('abd')).toBeUndefined();
    expect(cache.get('ab')).toBeUndefined();
    expect(cache.get('abcd')).toBeUndefined();
  });

  test('agrees with a plain Map under a random mix of sets, invalidations and lookups', () => {
    const cache = createRedirectCache(64);
    const model = new Map<string, RedirectTarget | null>();
    let seed = 42;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    for (let step = 0; step < 20_000; step++) {
      const code = `k${rand(200)}`;
      const op = rand(10);
      if (op < 4) {
        const t = rand(4) ? plain(step, `https://example.com/${'p'.repeat(rand(50))}`) : null;
        cache.set(code, t);
        model.set(code, t);
      } else if (op < 5) {
        cache.invalidate(code);
        model.delete(code);
      } else {
        // evicted entries are allowed to vanish; what is there must be the latest value
        const got = cache.get(code);
        if (got !== undefined) expect(got).toEqual(model.get(code)!);
      }
    }
    expect(cache.size).toBeLessThanOrEqual(64);
  });
});
