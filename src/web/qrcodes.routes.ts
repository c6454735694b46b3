/**
 * QR code screens (HTML only; the JSON sibling is the native API's
 * /api/v1/qrcodes, and the image downloads GET /dashboard/qrcodes/:id/download/
 * {svg|png} live with it because Minilnk hands those URLs out):
 *   GET  /dashboard/qrcodes              list; ?search=&page=; HX-Target qr-list → the list only
 *   GET  /dashboard/qrcodes/new          designer (?link_id= preselects a short link)
 *   POST /dashboard/qrcodes              create → 303 to its edit page
 *   GET  /dashboard/qrcodes/:id/edit     designer for a saved code (?saved=1 after a save)
 *   POST /dashboard/qrcodes/:id          update → 303 to its edit page
 *   POST /dashboard/qrcodes/preview      the live preview fragment (200: it shows errors);
 *                                        ?id= when editing a saved code, whose colours stand when not
 *                                        sent (another user's or a missing code: 404, as its edit page)
 *   POST /dashboard/qrcodes/:id/delete   htmx from a list row → the list it was on, redrawn; else → the list
 * A refused save re-renders the designer with the message next to its field,
 * 422. Another user's QR id is 404, exactly like a missing one.
 */
import { Elysia } from 'elysia';
import type { AppDeps } from '../http/app-deps.ts';
import { hasOwnColours, UNDRAWABLE } from '../qr/qr.service.ts';
import type { QrCode } from '../qr/qr.types.ts';
import type { FieldError } from '../../views/dashboard/field-error.ts';
import { qrDesignerPage, qrList, qrListPage, qrPreview } from '../../views/dashboard/qrcodes.ts';
import { visibleChars } from '../../views/url-display.ts';
import { currentPage, parseId, refinesSearch, sameSitePage, type PageCtx } from './dashboard-kit.ts';
import { textOf } from './form-values.ts';
import type { WebModule } from './index.ts';
import { toastHeaders } from './links-toast.ts';
import { fieldError, NEW_QR_VALUES, toQrInput, valuesFromForm, valuesFromQr, type QrFormValues } from './qr-form.ts';

const hidden = { detail: { hide: true } };

/**
 * Where the designer's Cancel leads: the dashboard page it was opened from (a
 * view of the links list, a link's analytics, the QR list as it was
 * searched), else the QR list. Only those paths, on this host: it is an href.
 */
export function designerReturn(from: string | null | undefined, pageUrl: string): string {
  const url = sameSitePage(from, pageUrl);
  if (!url || !/^\/dashboard(?:\/qrcodes|\/links\/\d+\/analytics)?$/.test(url.pathname)) return '/dashboard/qrcodes';
  // a banner's marker (a link just created) is not carried back: its news is old
  for (const k of ['created', 'saved', 'deleted']) url.searchParams.delete(k);
  return url.pathname + url.search;
}

export const qrcodesRoutes: WebModule = (deps: AppDeps, kit) => {
  const { services } = deps;

  /** The designer page: the user's recent links feed the "count scans" picker. */
  async function designer(c: PageCtx, p: { qr: QrCode | null; values: QrFormValues; error: FieldError; svg: string | null; status?: number }) {
    const { items } = await services.links.list(c.actor, { page: 1, perPage: 100, sort: 'created_at', direction: 'desc' });
    const linked = parseId(p.values.link_id);
    let linkGone = false;
    if (!Number.isNaN(linked) && !items.some((l) => l.id === linked)) {
      // an older link outside the picker's 100 must still be offered, or saving would silently unlink it
      const old = await services.links.get(c.actor, linked).catch(() => null);
      if (old) items.push(old);
      // deleted, or never the user's: said, and shown unlinked rather than as whichever option came first
      else [linkGone, p.values] = [true, { ...p.values, link_id: '' }];
    }
    const chosen = !p.qr && !p.values.content ? items.find((l) => String(l.id) === p.values.link_id) : undefined;
    if (chosen) p.values = { ...p.values, name: p.values.name || `QR code for /${chosen.code}`, content: services.shortUrl(chosen.code) };
    if (!p.svg && !p.error && p.values.content) {
      // a preselected link: show its code straight away (a refusal just leaves the placeholder)
      p.svg = await services.qr.preview(c.actor, toQrInput(p.values, {})).catch(() => null);
    }
    const body = qrDesignerPage({
      ...p,
      links: items,
      shortUrl: services.shortUrl,
      plan: c.actor.plan,
      keepsColours: p.qr !== null && hasOwnColours(p.qr),
      saved: c.query.saved === '1' && p.status === undefined,
      csrfToken: c.session.csrfToken,
      linkGone,
      back: designerReturn(c.request.method === 'POST' ? textOf(c.form.back) : c.request.headers.get('referer'), c.request.url),
    });
    return kit.page(c, { title: p.qr ? `QR code · ${p.qr.name}` : 'New QR code', nav: 'qrcodes', body, status: p.status });
  }

  /**
   * The form's values, with the short URL of the chosen link as the content
   * when none was typed: picking a link is enough to make a code (what it
   * encodes is the link; the content is only its fallback once the link is
   * gone). A content and name this page filled in for another link (the
   * short URL of another code, "QR code for /other") follow the link picked
   * since: saved as they were, the fallback would send scans to that other link.
   */
  async function submitted(c: PageCtx, saved: QrCode | null = null): Promise<QrFormValues> {
    const values = valuesFromForm(c.form, saved);
    const linkId = parseId(values.link_id);
    if (Number.isNaN(linkId)) return values;
    const link = await services.links.get(c.actor, linkId).catch(() => null);
    if (!link) return values;
    const own = services.shortUrl(link.code);
    const base = services.shortUrl('');
    const content = values.content.trim();
    const filledForAnother = content.startsWith(base) && content !== own && /^[A-Za-z0-9_-]+$/.test(content.slice(base.length));
    if (content !== '' && !filledForAnother) return values;
    const name = /^QR code for \/[A-Za-z0-9_-]+$/.test(values.name.trim()) ? `QR code for /${link.code}` : values.name;
    return { ...values, type: 'url', content: own, name };
  }

  /**
   * Save (create, or update when given an id); a refusal the form can show
   * comes back as the designer with the message. update() looks the code up
   * itself (NOT_FOUND for another user's), so the code is loaded again only
   * to redraw a refused form.
   */
  async function save(c: PageCtx, id: number | null) {
    const values = await submitted(c);
    try {
      const input = toQrInput(values, c.form);
      const saved = id === null ? await services.qr.create(c.actor, input) : await services.qr.update(c.actor, id, input);
      return kit.redirect(c, `/dashboard/qrcodes/${saved.id}/edit?saved=1`);
    } catch (e) {
      const error = fieldError(e);
      if (!error) throw e;
      const qr = id === null ? null : await services.qr.get(c.actor, id);
      // shown again with the code's own colours where the form sent none, as update() keeps them
      return designer(c, { qr, values: qr ? await submitted(c, qr) : values, error, svg: null, status: 422 });
    }
  }

  async function listView(c: PageCtx, get: (key: string) => string | undefined) {
    const search = (get('search') ?? '').slice(0, 200);
    let page = await services.qr.list(c.actor, { search, page: Number(get('page')) || 1, perPage: 20 });
    // past the end (the last codes of a page deleted, a stale link): the last page, as the links list does
    const last = Math.max(1, Math.ceil(page.total / 20));
    if (page.page > last) page = await services.qr.list(c.actor, { search, page: last, perPage: 20 });
    const dynamic = new Set<number>();
    for (const q of page.items) if (await services.qr.isDynamic(q)) dynamic.add(q.id);
    return { page, dynamic, search, csrfToken: c.session.csrfToken };
  }

  return new Elysia({ name: 'web-qrcodes' })
    .get(
      '/dashboard/qrcodes',
      kit.route(async (c) => {
        const view = { ...(await listView(c, (k) => c.query[k])), deleted: c.query.deleted === '1' };
        if (c.isHtmx && c.request.headers.get('hx-target') === 'qr-list') {
          const url = new URL(c.request.url);
          // typing on in a search already shown: the same history entry (see refinesSearch)
          return kit.fragment(qrList(view), 200, refinesSearch(c.request, 'qr-search', 'search') ? { 'hx-replace-url': url.pathname + url.search } : {});
        }
        return kit.page(c, { title: 'QR codes', nav: 'qrcodes', body: qrListPage(view) });
      }),
      hidden,
    )
    .get(
      '/dashboard/qrcodes/new',
      kit.route(async (c) => {
        const linkId = parseId(c.query.link_id);
        const values = { ...NEW_QR_VALUES, link_id: Number.isNaN(linkId) ? '' : String(linkId) };
        return designer(c, { qr: null, values, error: null, svg: null });
      }),
      hidden,
    )
    .post('/dashboard/qrcodes', kit.route((c) => save(c, null)), hidden)
    .post(
      '/dashboard/qrcodes/preview',
      kit.route(async (c) => {
        const saved = c.query.id === undefined ? null : await services.qr.get(c.actor, parseId(c.query.id));
        const values = await submitted(c, saved);
        let svg: string | null = null;
        let error: FieldError = null;
        // a form still being filled in, in any order: a name is not drawn, and a blank content is what the
        // pane asks for. Said as errors, each pause in typing re-announced them (role=alert); saving says them
        if (values.content.trim() === '') return kit.fragment(qrPreview({ svg, error, type: values.type }));
        const input = toQrInput(values, c.form);
        if (input.name.trim() === '') input.name = 'Preview';
        try {
          svg = await services.qr.preview(c.actor, input, saved);
        } catch (e) {
          error = fieldError(e);
          if (!error) throw e;
        }
        return kit.fragment(qrPreview({ svg, error, type: values.type }));
      }),
      hidden,
    )
    .get(
      '/dashboard/qrcodes/:id/edit',
      kit.route(async (c) => {
        const qr = await services.qr.get(c.actor, parseId(c.params.id));
        const svg = await services.qr.svg(qr);
        return designer(c, { qr, values: valuesFromQr(qr), error: svg === null ? { field: 'content', message: UNDRAWABLE } : null, svg });
      }),
      hidden,
    )
    .post('/dashboard/qrcodes/:id', kit.route((c) => save(c, parseId(c.params.id))), hidden)
    .post(
      '/dashboard/qrcodes/:id/delete',
      kit.route(async (c) => {
        const id = parseId(c.params.id);
        // the name, for the toast that says which code went (read before it goes)
        const { name } = await services.qr.get(c.actor, id);
        await services.qr.remove(c.actor, id);
        const gone = '/dashboard/qrcodes?deleted=1';
        if (!c.isHtmx) return kit.redirect(c, gone);
        // from the designer: a whole new page in place of the designer's (public/js/dashboard.js replaces the
        // history entry), so the title is the list's and Back does not return to the deleted code's address
        if (!c.request.headers.get('hx-target')?.startsWith('qr-row-')) return new Response(null, { status: 204, headers: { 'hx-trigger': JSON.stringify({ replaceLocation: gone }) } });
        // the whole list of the page it was deleted from, not just the row gone: the count bar, the
        // page's rows and the empty state stay true
        const from = currentPage(c.request, '/dashboard/qrcodes');
        const view = await listView(c, (k) => from.searchParams.get(k) ?? undefined);
        return kit.fragment(qrList(view), 200, { ...toastHeaders(`The QR code “${visibleChars(name)}” was deleted.`), 'hx-retarget': '#qr-list', 'hx-reswap': 'outerHTML' });
      }),
      hidden,
    );
};
