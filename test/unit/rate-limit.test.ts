import { describe, expect, test } from 'bun:test';
import { createRateLimiter } from '../../src/http/rate-limit.ts';

describe('rolling one-minute rate limiter', () => {
  test('allows the limit, refuses the next with Retry-After, and keys are independent', () => {
    let now = 1_000_000 * 60_000 + 5_000;
    const rl = createRateLimiter({ now: () => now });
    for (let i = 0; i < 3; i++) expect(rl.hit('a', 3)).toBeNull();
    const wait = rl.hit('a', 3);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(rl.hit('b', 3)).toBeNull();
    // waiting the advertised time is enough, and not much more than needed
    now += wait! * 1000;
    expect(rl.hit('a', 3)).toBeNull();
  });

  test('remaining counts the hits still in the window, and resetAt is when the oldest of them leaves it', () => {
    let now = 5_000 * 60_000;
    const rl = createRateLimiter({ now: () => now });
    expect(rl.remaining('r', 4)).toEqual({ remaining: 4, resetAt: now });
    const first = now;
    rl.hit('r', 4);
    now += 10_000;
    rl.hit('r', 4);
    expect(rl.remaining('r', 4)).toEqual({ remaining: 2, resetAt: first + 60_000 });
    now += 10_000;
    rl.hit('r', 4);
    rl.hit('r', 4);
    expect(rl.remaining('r', 4).remaining).toBe(0);
    // the ring wraps: the first hit slides out, a new one takes its slot
    now = first + 60_000;
    expect(rl.hit('r', 4)).toBeNull();
    expect(rl.remaining('r', 4)).toEqual({ remaining: 0, resetAt: first + 10_000 + 60_000 });
    now = first + 85_000; // the second (10 s) and the two at 20 s have left
    expect(rl.remaining('r', 4)).toEqual({ remaining: 3, resetAt: first + 60_000 + 60_000 });
    now += 60_000;
    expect(rl.remaining('r', 4)).toEqual({ remaining: 4, resetAt: now });
    // a changed limit starts afresh, as hit() does
    expect(rl.remaining('r', 9).remaining).toBe(9);
  });

  test('a full previous window still counts while it overlaps (no double burst at the edge)', () => {
    let now = 2_000 * 60_000 + 59_000; // one second before a window edge
    const rl = createRateLimiter({ now: () => now });
    for (let i = 0; i < 10; i++) expect(rl.hit('k', 10)).toBeNull();
    now += 2_000; // just after the edge: a fixed window would allow 10 more here
    let allowed = 0;
    for (let i = 0; i < 10; i++) if (rl.hit('k', 10) === null) allowed++;
    expect(allowed).toBeLessThanOrEqual(1);
    now += 60_000; // a full window later everything has slid out
    expect(rl.hit('k', 10)).toBeNull();
  });

  test('Retry-After is honest: retrying exactly then succeeds', () => {
    for (const offset of [0, 13_000, 42_500, 59_999]) {
      let now = 3_000 * 60_000 + offset;
      const rl = createRateLimiter({ now: () => now });
      for (let i = 0; i < 5; i++) rl.hit('x', 5);
      const wait = rl.hit('x', 5)!;
      now += wait * 1000 - 1000;
      expect(rl.hit('x', 5)).not.toBeNull(); // one second early is still refused or just allowed at most once
      now += 1000;
      expect(rl.hit('x', 5)).toBeNull();
    }
  });

  test('Retry-After rounds up: a refusal 0.7 s after the hit says 60, and 59 s later it is still refused', () => {
    const start = 3_500 * 60_000 + 12_345;
    let now = start;
    const rl = createRateLimiter({ now: () => now });
    expect(rl.hit('x', 1)).toBeNull();
    now = start + 700; // 59.3 s to wait: rounded down or to the nearest it would be 59
    expect(rl.hit('x', 1)).toBe(60);
    now = start + 59_700; // a client that waited only 59 s is early
    expect(rl.hit('x', 1)).toBe(1);
    now = start + 60_000;
    expect(rl.hit('x', 1)).toBeNull();
  });

  test('small limits are exact: hits straddling a window edge never let an 11th through within 60 s', () => {
    for (const before of [500, 1_000, 5_000, 30_000]) {
      let now = 4_000 * 60_000 - before; // the ten hits start this long before a window edge
      const rl = createRateLimiter({ now: () => now });
      for (let i = 0; i < 10; i++) {
        expect(rl.hit('pw', 10)).toBeNull();
        now += 100;
      }
      for (let t = 0; t < 58_000; t += 2_000) {
        expect(rl.hit('pw', 10)).not.toBeNull();
        now += 2_000;
      }
      now += 1_100; // 60 s after the first hit
      expect(rl.hit('pw', 10)).toBeNull();
    }
  });

  test('a key whose limit changes (plan edited) starts afresh under the new limit', () => {
    let now = 5_000 * 60_000;
    const rl = createRateLimiter({ now: () => now });
    for (let i = 0; i < 3; i++) expect(rl.hit('key', 3)).toBeNull();
    expect(rl.hit('key', 3)).not.toBeNull();
    for (let i = 0; i < 60; i++) expect(rl.hit('key', 120)).toBeNull();
    now += 1;
    expect(rl.hit('key', 2)).toBeNull();
    expect(rl.hit('key', 2)).toBeNull();
    expect(rl.hit('key', 2)).not.toBeNull();
  });

  test('large limits are exact too: a burst at the end of a minute plus a steady trickle never exceeds the limit in any 60 s', () => {
    let now = 6_000 * 60_000 + 59_000;
    const rl = createRateLimiter({ now: () => now });
    const allowed: number[] = [];
    for (let i = 0; i < 120; i++) if (rl.hit('api', 120) === null) allowed.push(now);
    for (let i = 0; i < 2380; i++) { // 119 s
      now += 50;
      if (rl.hit('api', 120) === null) allowed.push(now);
    }
    for (let i = 0; i < allowed.length; i++) {
      const inWindow = allowed.filter((x) => x >= allowed[i]! && x < allowed[i]! + 60_000).length;
      expect(inWindow).toBeLessThanOrEqual(120);
    }
    expect(allowed.length).toBe(240); // the burst, then the next 120 once the burst has left the window
  });

  test('release takes back the newest hit, in a partly filled ring and in a full one that has wrapped', () => {
    let now = 8_000 * 60_000;
    const rl = createRateLimiter({ now: () => now });
    rl.hit('r', 3);
    rl.release('r');
    expect(rl.remaining('r', 3).remaining).toBe(3);
    // wrap the ring: five hits 20 s apart, of which the last three are in the window
    for (let i = 0; i < 5; i++) {
      expect(rl.hit('r', 3)).toBeNull();
      now += 20_000;
    }
    now -= 1_000; // the hits at -59 s, -39 s, -19 s
    expect(rl.hit('r', 3)).not.toBeNull();
    rl.release('r');
    expect(rl.remaining('r', 3).remaining).toBe(1);
    expect(rl.hit('r', 3)).toBeNull();
    expect(rl.hit('r', 3)).not.toBeNull();
    // the oldest kept hit is still the one that leaves first
    now += 1_001;
    expect(rl.hit('r', 3)).toBeNull();
    rl.release('never-hit');
    expect(rl.remaining('never-hit', 3).remaining).toBe(3);
  });
});


describe('bounded memory', () => {
  test('a flood of new keys in one namespace never touches another namespace, and never locks anyone out', () => {
    let now = 6_000 * 60_000;
    const rl = createRateLimiter({ now: () => now, maxKeys: 3 });
    // someone's failed sign-ins, spent
    for (let i = 0; i < 5; i++) expect(rl.hit('login:email:victim', 5)).toBeNull();
    expect(rl.hit('login:email:victim', 5)).not.toBeNull();
    // a flood of fresh addresses on the anonymous API: each is served (no lockout)
    for (let i = 0; i < 50; i++) expect(rl.hit(`ip:expand:flood-${i}`, 5)).toBeNull();
    // and the victim's budget is still spent
    expect(rl.hit('login:email:victim', 5)).not.toBeNull();
  });

  test('within a namespace the key hit least recently makes room, not a live one just used', () => {
    let now = 7_000 * 60_000;
    const rl = createRateLimiter({ now: () => now, maxKeys: 3 });
    for (let i = 0; i < 5; i++) rl.hit('login:email:a', 5);
    rl.hit('login:email:b', 5);
    rl.hit('login:email:c', 5);
    expect(rl.hit('login:email:a', 5)).not.toBeNull(); // a: spent, and now the most recent
    rl.hit('login:email:d', 5); // pushes out b, the least recently hit
    expect(rl.hit('login:email:a', 5)).not.toBeNull();
    // to push a out takes as many new keys as the namespace holds, after a's last hit
    rl.hit('login:email:e', 5);
    rl.hit('login:email:f', 5);
    rl.hit('login:email:g', 5);
    expect(rl.hit('login:email:a', 5)).toBeNull();
  });
});
