/**
 * Creating and editing a link.
 *
 *   GET|POST /dashboard/links/new        the form; a created link 303s to /dashboard?created=CODE
 *            ?url=&title=&code=          the form filled in (the bookmarklet on the account page); a GET never creates
 *            ?from=ID                    a copy of one of the user's links (another's → 404, as its edit page)
 *   GET|POST /dashboard/links/:id/edit   the form for one of the user's links (another's → 404)
 *   GET      /dashboard/links/utm-preview?url=…&utm_source=…   the tagged-URL fragment
 *
 * The forms are plain POSTs (they work without script). A refused form
 * answers 422 with the form as it was sent and every refusal at once, each
 * beside the field it names; plan gates (FEATURE_DENIED) and quotas show
 * above the form.
 * The dashboard needs no API access, only the plan's link features.
 */
import { Elysia } from 'elysia';
import type { Actor } from '../accounts/accounts.types.ts';
import type { DomainError } from '../errors.ts';
import type { Link } from '../links/links.types.ts';
import { applyUtm } from '../links/url-policy.ts';
import { linksUsed } from '../../views/dashboard/account.ts';
import { linkFormBody, linkFormTitle, utmPreview, UTM_KEYS, type LinkFormValues } from '../../views/dashboard/link-form.ts';
import { parseId, type PageCtx } from './dashboard-kit.ts';
import { textOf } from './form-values.ts';
import type { WebModule } from './index.ts';
import { createInput, duplicateValues, fieldOf, formValues, isFormError, linkValues, prefillValues, scheduleErrorOf, updateInput } from './links-form-input.ts';
import { inFormWords, quotaHint } from './form-errors.ts';
import { Refusals, refusalsIn } from '../refusals.ts';
import { listReturn } from './links-view.ts';

/** The destination with its UTM values, as the redirect will build it. */
export function previewOf(v: Pick<LinkFormValues, 'url' | 'utm'>) {
  const utm = Object.fromEntries(UTM_KEYS.map((k) => [k, v.utm[k].trim() || null]));
  if (!Object.values(utm).some(Boolean)) return utmPreview('empty');
  try {
    const url = new URL(v.url.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return utmPreview('invalid');
    return utmPreview({ url: applyUtm(url.href, utm) });
  } catch {
    return utmPreview('invalid');
  }
}

export const linkFormRoutes: WebModule = (deps, kit) => {
  const { services } = deps;
  // the scheme adds nothing next to an alias field and costs width
  const shortPrefix = services.shortUrl('').replace(/^https?:\/\//, '');
  const features = (a: Actor) => ({ customAlias: a.plan.customAlias, password: a.plan.password, expiry: a.plan.expiry, planName: a.plan.name });

  const idOf = (c: PageCtx) => parseId(c.params.id);
  const POST = { parse: 'none' as const, detail: { hide: true } };
  const GET = { detail: { hide: true } };
  const NEW = '/dashboard/links/new';

  interface Render {
    mode: 'new' | 'edit';
    action: string;
    values: LinkFormValues;
    hasPassword?: boolean;
    error?: DomainError;
    /** the list view to return to (Cancel; an edit also after saving) */
    back?: string;
    /** new: the link this form copies */
    source?: Link;
    /** new: the plan's link limit reached (limitReached) */
    limitNote?: string | null;
    prefilled?: boolean;
  }

  function render(c: PageCtx, r: Render): Response {
    const errors: Record<string, string> = {};
    let formError: string | null = null;
    let scheduleError: ReturnType<typeof scheduleErrorOf> = null;
    if (r.error) {
      const aboveTheForm: string[] = [];
      for (const refusal of refusalsIn(r.error)) {
        const field = fieldOf(refusal);
        const inRow = field === 'schedules' && !errors.schedules ? scheduleErrorOf(refusal, inFormWords(refusal.message)) : null;
        if (inRow) scheduleError = inRow;
        // one message a field: the first found, as the field reads it top to bottom
        if (field) errors[field] ??= inRow?.message ?? inFormWords(refusal.message);
        else aboveTheForm.push(inFormWords(refusal.message));
      }
      // every plan gate the form ran into (an alias and a password on a free plan), not only the first
      if (aboveTheForm.length) formError = aboveTheForm.join(' ') + quotaHint(r.error);
      // a password is never sent back in the page: unless told, the person would save the link without it
      // (not on a plan without passwords: its field is disabled, and the plan gate above says why)
      if (!errors.password && textOf(c.form.password) !== '' && c.actor.plan.password) errors.password = 'Enter the password again: it is not kept when the form is sent back.';
    }
    const body = linkFormBody({
      mode: r.mode,
      action: r.action,
      csrfToken: c.session.csrfToken,
      values: r.values,
      errors,
      scheduleError,
      formError,
      features: features(c.actor),
      shortPrefix,
      utmPreview: previewOf(r.values),
      hasPassword: r.hasPassword,
      back: r.back ?? '/dashboard',
      duplicateOf: r.source ? { id: r.source.id, shortLink: shortPrefix + r.source.code } : undefined,
      limitNote: r.limitNote,
      prefilled: r.prefilled,
    });
    return kit.page(c, { title: linkFormTitle({ mode: r.mode, duplicateOf: r.source }), nav: 'links', body, status: r.error ? 422 : 200 });
  }

  /** The link a new-link form copies (?from= on the page, the hidden `from` on its POST): the actor's own, as edit reads it. @throws NOT_FOUND */
  const sourceOf = (c: PageCtx, id: unknown) => services.links.get(c.actor, parseId(textOf(id)));

  /** The list view a form was opened from (GET: its Referer; POST: sent back by the form), checked as a Referer. */
  const backOf = (c: PageCtx) =>
    listReturn(c.request.method === 'POST' ? textOf(c.form.back) : c.request.headers.get('referer'), c.request.url, c.actor.user.role === 'admin');

  /** The plan's link limit reached, as the account page says it, or null: said above a new-link form, which cannot succeed. */
  async function limitReached(c: PageCtx): Promise<string | null> {
    const max = c.actor.plan.maxLinks;
    if (max === null) return null;
    const usage = await services.links.usage(c.actor);
    return usage.links >= max ? linksUsed(c.actor.plan, usage) : null;
  }

  async function newForm(c: PageCtx): Promise<Response> {
    const back = backOf(c);
    const limitNote = await limitReached(c);
    if (c.query.from !== undefined) {
      const source = await sourceOf(c, c.query.from);
      return render(c, { mode: 'new', action: NEW, values: duplicateValues(source, await services.links.schedules(source.id)), source, back, limitNote });
    }
    const prefilled = ['url', 'title', 'code'].some((k) => c.query[k]);
    return render(c, { mode: 'new', action: NEW, values: prefillValues(c.query, c.actor.plan.customAlias), prefilled, back, limitNote });
  }

  return new Elysia()
    .get(NEW, kit.route(newForm), GET)
    .post(
      '/dashboard/links/new',
      kit.route(async (c) => {
        const values = formValues(c.form);
        const refusals = new Refusals();
        const input = createInput(c.form, values, refusals);
        try {
          // what the form could not read is left out of the input; the core checks the rest, creating nothing
          if (refusals.any) await services.links.checkCreate(c.actor, input, refusals);
          refusals.throwIfAny();
          const { link } = await services.links.create(c.actor, input);
          return kit.redirect(c, `/dashboard?created=${encodeURIComponent(link.code)}`);
        } catch (error) {
          if (!isFormError(error)) throw error;
          // a refused copy is still headed as one; a source gone meanwhile just drops the heading
          const source = c.form.from === undefined ? undefined : await sourceOf(c, c.form.from).catch(() => undefined);
          // a quota refusal says it above the form already
          const limitNote = error.code === 'QUOTA_EXCEEDED' ? null : await limitReached(c);
          return render(c, { mode: 'new', action: NEW, values, error, source, back: backOf(c), limitNote });
        }
      }),
      POST,
    )
    .get(
      '/dashboard/links/:id/edit',
      kit.route(async (c) => {
        const link = await services.links.get(c.actor, idOf(c));
        const values = linkValues(link, await services.links.schedules(link.id));
        const back = backOf(c);
        return render(c, { mode: 'edit', action: `/dashboard/links/${link.id}/edit`, values, hasPassword: link.passwordHash !== null, back });
      }),
      GET,
    )
    .post(
      '/dashboard/links/:id/edit',
      kit.route(async (c) => {
        const link = await services.links.get(c.actor, idOf(c));
        const values = formValues(c.form);
        const back = backOf(c);
        const refusals = new Refusals();
        const input = updateInput(c.form, values, link, await services.links.schedules(link.id), refusals);
        try {
          if (refusals.any) await services.links.checkUpdate(c.actor, link, input, refusals);
          refusals.throwIfAny();
          const saved = await services.links.update(c.actor, link, input);
          return kit.redirect(c, `${back}${back.includes('?') ? '&' : '?'}saved=${encodeURIComponent(saved.code)}`);
        } catch (error) {
          if (!isFormError(error)) throw error;
          return render(c, { mode: 'edit', action: `/dashboard/links/${link.id}/edit`, values, hasPassword: link.passwordHash !== null, error, back });
        }
      }),
      POST,
    )
    .get(
      '/dashboard/links/utm-preview',
      kit.route((c) => {
        const get = (k: string) => (c.query[k] ?? '').slice(0, 2048);
        const values = { url: get('url'), utm: Object.fromEntries(UTM_KEYS.map((k) => [k, get(`utm_${k}`)])) as LinkFormValues['utm'] };
        return kit.fragment(previewOf(values));
      }),
      GET,
    );
};
