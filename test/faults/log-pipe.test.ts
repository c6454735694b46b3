/**
 * The reader of the server's output going away (`shrinkray | head`, a log
 * shipper restarting) must not stop the server: the access-log lines are
 * dropped, the redirects go on, and every click is kept.
 */
import { afterAll, expect, test } from 'bun:test';
import { BROWSER_UA } from '../helpers/binary.ts';
import { appliance, provision } from './faults-kit.ts';

const app = appliance({ LOG_LEVEL: 'info' });
afterAll(() => app.cleanup());

test('a closed stdout pipe: the server keeps answering, keeps every click, and exits 0 on SIGTERM', async () => {
  const key = await provision(app, 'pipe@example.com');
  const proc = Bun.spawn([app.bin, 'serve'], { cwd: app.dir, env: app.env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  try {
    const reader = proc.stdout.getReader();
    let seen = '';
    while (!/listening on http:\/\/[^\s:]+:\d+/.test(seen)) seen += new TextDecoder().decode((await reader.read()).value);
    const base = `http://127.0.0.1:${/listening on http:\/\/[^\s:]+:(\d+)/.exec(seen)![1]}`;
    const created = await fetch(`${base}/api/v1/links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ original_url: 'https://example.com/piped' }),
    });
    const { id, short_code } = await created.json();
    await reader.cancel(); // the reader goes away: the next log line meets a broken pipe

    let redirects = 0;
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${base}/${short_code}`, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
      if (res.status === 302) redirects++;
    }
    expect(redirects).toBe(100);
    expect(proc.exitCode).toBeNull();
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    const db = app.open();
    try {
      expect(db.query<{ n: number }, [number]>('SELECT count(*) AS n FROM clicks WHERE link_id = ?').get(id)!.n).toBe(100);
    } finally {
      db.close();
    }
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}, 60_000);
