/**
 * CSV import and export of links.
 *
 *   GET  /dashboard/links/import   the import form (file or pasted CSV)
 *   POST /dashboard/links/import   csv=… → per-row results (fragment for htmx, page otherwise)
 *   GET  /dashboard/links.csv?q=&sort=&dir=&all=   the filtered table, every page, as CSV
 *
 * The browser reads a chosen file into the textarea (public/js/dashboard.js),
 * so the server receives one text field and the form also works by pasting.
 * Rows go through links.createMany: each row succeeds or fails on its own,
 * titles are fetched in the background, and the plan quota is checked for
 * the whole file up front.
 */
import { batchedBody } from '../http/batched-body.ts';
import { csvDownload } from '../http/respond.ts';
import { Elysia } from 'elysia';
import { DomainError } from '../errors.ts';
import type { Link } from '../links/links.types.ts';
import { importPageBody, importResult, linkStatus, ownerLabel, type ImportRowResult } from '../../views/dashboard/links.ts';
import type { PageCtx } from './dashboard-kit.ts';
import { textOf } from './form-values.ts';
import type { WebModule } from './index.ts';
import { inFormWords, quotaHint } from './form-errors.ts';
import { CsvFileError, csvLine, importRows, type ImportRow } from './links-csv.ts';
import { ownerEmails, parseView, viewInBatches } from './links-view.ts';

export const MAX_IMPORT_ROWS = 1000;
/** per user: each import may create 1,000 links and as many page fetches */
const IMPORTS_PER_MINUTE = 10;
/** a list longer than this is refused, not cut off: its order is settled first, holding each row's sort key */
export const MAX_EXPORT_ROWS = 100_000;
/** rows read and written at a time, with a turn for other requests between (500 rows of 2 KB destinations: 10-15 ms a part) */
const EXPORT_BATCH = 200;

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * An expiry as the export writes it (ISO 8601; a date or time without a zone is UTC), or NaN. Not
 * Date.parse, which reads almost anything: "1" as 2001, "01/02/2027" in US order, 2027-02-30 as
 * 2 March, a time without a zone in the server's own — a file re-saved by a spreadsheet in another
 * locale would shift its expiries silently.
 */
export function parseExpiry(text: string): number {
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) return NaN;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const at = Date.UTC(y!, mo! - 1, d!, h, mi, s, ms);
  const back = new Date(at);
  // calendar fields that do not come back as written (month 13, 30 February, 25:00) are not a date
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return NaN;
  const zone = m[8];
  if (!zone || zone.toUpperCase() === 'Z') return at;
  // hours alone (+05, PostgreSQL's +00) only after a time: 2027-01-01-05 is no date
  const digits = zone.slice(1).replace(':', '');
  if (digits.length === 2 && m[4] === undefined) return NaN;
  const [zh, zm] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || 0)];
  if (zh > 23 || zm > 59) return NaN;
  return at - (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000;
}

export const linkImportRoutes: WebModule = (deps, kit) => {
  const { services } = deps;

  function answer(c: PageCtx, result: Parameters<typeof importResult>[0], csv: string, status = 200, headers: Record<string, string> = {}): Response {
    const fragment = importResult(result);
    if (c.isHtmx) return kit.fragment(fragment, status, headers);
    const body = importPageBody({ csrfToken: c.session.csrfToken, maxRows: MAX_IMPORT_ROWS, csv, result: fragment });
    return kit.page(c, { title: 'Import links', nav: 'links', body, status, headers });
  }

  async function runImport(c: PageCtx, csv: string): Promise<Response> {
    let rows: ImportRow[];
    try {
      rows = importRows(csv);
    } catch (e) {
      if (e instanceof CsvFileError) return answer(c, { error: e.message }, csv, 422);
      throw e;
    }
    if (rows.length === 0) return answer(c, { error: 'The CSV has no rows to import. Choose a file or paste some URLs.' }, csv, 422);
    if (rows.length > MAX_IMPORT_ROWS) {
      return answer(c, { error: `The CSV has ${rows.length.toLocaleString('en')} rows; import at most ${MAX_IMPORT_ROWS.toLocaleString('en')} at a time.` }, csv, 422);
    }
    // counted once links were created: a file refused (empty, too long, past the plan's limit) costs nothing
    const budget = `import:${c.actor.user.id}`;
    const wait = deps.limiter.peek(budget, IMPORTS_PER_MINUTE);
    if (wait !== null) {
      return answer(c, { error: `That is ${IMPORTS_PER_MINUTE} imports in a minute, the most allowed: try again in ${wait} s.` }, csv, 429, { 'retry-after': String(wait) });
    }
    // an export re-imported by a plan without custom aliases: its code column is not a reason to refuse every row
    const keepCodes = c.actor.plan.customAlias;
    const dropped = !keepCodes && rows.some((r) => r.alias !== '');
    const refused = new Map<number, string>();
    const inputs = rows.flatMap((r, i) => {
      const expiresAt = r.expiresAt === '' ? null : parseExpiry(r.expiresAt);
      if (Number.isNaN(expiresAt)) {
        refused.set(i, `The expiry "${r.expiresAt.slice(0, 40)}" is not a date and time as the export writes them (2027-01-31T12:00:00Z, or 2027-01-31 for midnight UTC).`);
        return [];
      }
      // the export says a link had a password, never what it was: created without one it would be open to all
      const status = r.status.split(/[\s,]+/);
      if (status.includes('password')) {
        refused.set(i, `This link had a password, which an export does not carry. Create it with its password in the link form, or take "password" out of its status cell to import it without one.`);
        return [];
      }
      return [{
        index: i,
        input: {
          destination: r.url,
          code: keepCodes ? r.alias || null : null,
          title: r.title || undefined,
          ...(expiresAt === null ? {} : { expiresAt }),
          ...(status.includes('paused') ? { isActive: false } : {}),
          source: 'dashboard',
          metadata: 'background' as const,
        },
      }];
    });
    try {
      const results = await services.links.createMany(c.actor, inputs.map((x) => x.input));
      deps.limiter.hit(budget, IMPORTS_PER_MINUTE);
      const byRow = new Map(inputs.map((x, j) => [x.index, results[j]!]));
      const out: ImportRowResult[] = rows.map((row, i) => {
        const r = byRow.get(i);
        const error = refused.get(i) ?? (r && !r.ok ? inFormWords(r.error.message) : undefined);
        return { line: row.row, url: row.url, ...(r?.ok ? { shortUrl: services.shortUrl(r.value.link.code) } : { error: error ?? 'Not imported.' }) };
      });
      const notice = dropped ? `Your plan (${c.actor.plan.name}) has no custom aliases: the file's codes were not kept, and each link got a new one.` : undefined;
      // said only when some link will get one: rows that gave a title fetch none
      const fetchesTitles = services.config.ogFetch && rows.some((row, i) => row.title === '' && byRow.get(i)?.ok);
      return answer(c, { rows: out, fetchesTitles, notice }, csv);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'QUOTA_EXCEEDED') throw e;
      return answer(c, { error: quotaMessage(rows.length, e) }, csv, 422);
    }
  }

  /** Whether any room is left, and how much: "you reached your limit" is wrong for an account with room for fewer links than the file has. */
  function quotaMessage(adding: number, e: DomainError): string {
    const [limit, usage, plan] = [Number(e.meta.limit), Number(e.meta.usage), String(e.meta.plan)];
    const used = `${usage.toLocaleString('en')} of ${limit.toLocaleString('en')} links on the ${plan} plan`;
    if (usage >= limit) return `You reached your link limit (${used}). Delete some links, or ask an admin for a bigger plan. Nothing was imported.${quotaHint(e)}`;
    const room = limit - usage;
    return `This file would add ${adding.toLocaleString('en')} links, but there is room for ${room.toLocaleString('en')} more (${used}). Import at most ${room.toLocaleString('en')} rows, or delete some links first. Nothing was imported.${quotaHint(e)}`;
  }

  const statusCell = (l: Link, now: number) => {
    const shown = linkStatus(l, now).key;
    return l.passwordHash === null || shown === 'password' ? shown : `password, ${shown}`;
  };

  const csvRow = (l: Link, now: number) => [
    l.code,
    services.shortUrl(l.code),
    l.destination,
    l.title,
    l.totalClicks,
    l.uniqueClicks,
    // a password first, whatever else: the import must know that it cannot recreate this link as it was;
    // then the standing its badge shows (once the password is taken out of the cell, a paused link stays so)
    statusCell(l, now),
    iso(l.createdAt),
    iso(l.expiresAt),
  ];

  return new Elysia()
    .get(
      '/dashboard/links/import',
      kit.route((c) => kit.page(c, { title: 'Import links', nav: 'links', body: importPageBody({ csrfToken: c.session.csrfToken, maxRows: MAX_IMPORT_ROWS }) })),
      { detail: { hide: true } },
    )
    .post(
      '/dashboard/links/import',
      kit.route((c) => runImport(c, textOf(c.form.csv))),
      { parse: 'none', detail: { hide: true } },
    )
    .get(
      '/dashboard/links.csv',
      kit.route(async (c) => {
        const view = parseView((k) => c.query[k], c.actor.user.role === 'admin');
        const batches = viewInBatches(services, c.actor, view, MAX_EXPORT_ROWS, EXPORT_BATCH);
        const now = services.now();
        // every user's links (an admin's view): whose each is, as the table shows; an import ignores the column
        const owners = view.all ? ownerEmails(services) : null;
        const lines = async (links: Link[]) => {
          const known = owners ? await owners(links) : null;
          return links.map((l) => `${csvLine(known ? [...csvRow(l, now), ownerLabel(l, known)] : csvRow(l, now))}\r\n`).join('');
        };
        // the first batch before any byte is sent: a refusal (every user's links, for a member) is still a page
        const first = await batches.next();
        const columns = ['code', 'short_url', 'destination', 'title', 'clicks', 'unique_clicks', 'status', 'created_at', 'expires_at', ...(owners ? ['owner'] : [])];
        // a BOM first: Excel on Windows reads a CSV without one as ANSI (titles in other scripts garbled); the import strips it
        const header = `\uFEFF${csvLine(columns)}`;
        const body = batchedBody(
          `${header}\r\n${first.done ? '' : await lines(first.value)}`,
          async () => {
            const batch = await batches.next();
            return batch.done ? null : lines(batch.value);
          },
          (e) => deps.logger.error('exporting links failed mid-stream', { error: e }),
          () => batches.return(undefined),
        );
        const day = new Date(now).toISOString().slice(0, 10);
        return csvDownload(body, `shrinkray-links-${day}.csv`, { 'cache-control': 'no-store' });
      }),
      { detail: { hide: true } },
    );
};
