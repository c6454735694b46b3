/**
 * What is deleted leaves the database file: a link's clicks erased with it
 * (LinkShrink's delete-token delete, Linx.ly's delete) are overwritten, not
 * left readable in the file's free space, where `strings shrinkray.db` would
 * find the referrers and visitor hashes no route shows any more.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestApp, type TestApp } from '../helpers/make-test-app.ts';

const MARK = 'secret-clinic-zzz.example';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ env: { TRUST_PROXY: 'true' } });
});
afterAll(() => t.close());

/** every file of the data folder (database, WAL, shared memory), as bytes read as Latin-1 */
const filesText = () =>
  readdirSync(t.dir)
    .filter((f) => f.startsWith('shrinkray.db'))
    .map((f) => readFileSync(join(t.dir, f)).toString('latin1'))
    .join('\n');

test('clicks erased with their link are gone from the database file and its WAL, not only from queries', async () => {
  const u = await t.user('pro');
  const actor = await t.services.users.actorFor(u.user);
  const { link } = await t.services.links.create(actor, { destination: 'https://example.com/appointment', metadata: 'none' });
  const keep = (await t.services.links.create(actor, { destination: 'https://example.com/kept', metadata: 'none' })).link;
  for (let i = 0; i < 3; i++) {
    await t.request('GET', `/${link.code}`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': `8.8.4.${i + 1}`, referer: `https://${MARK}/appointments` } });
  }
  await t.request('GET', `/${keep.code}`, { headers: { 'user-agent': CHROME, 'x-forwarded-for': '8.8.4.9', referer: 'https://still-here.example/' } });
  await t.flush();
  t.sqlite.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  expect(filesText().includes(MARK)).toBe(true); // the files did hold it: the check below can fail

  await t.services.links.purge(actor, link.code);
  t.sqlite.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const after = filesText();
  expect(after.includes(MARK)).toBe(false);
  expect(after.includes('still-here.example')).toBe(true); // the other link's clicks are untouched
  expect(t.sqlite.query('PRAGMA secure_delete').get()).toEqual({ secure_delete: 1 });
});
