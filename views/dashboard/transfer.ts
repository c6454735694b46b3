/**
 * Transferring a user's links and QR codes, in two steps that work without
 * JavaScript: choose the recipient (a GET form), then read what it means —
 * both emails, what moves, the recipient's link limit and plan features —
 * and confirm (the one POST). A dialog could not say the limit's numbers,
 * which depend on the user chosen. Emails are shown with hidden characters
 * made visible, as everywhere on the users screen.
 */
import type { User } from '../../src/accounts/accounts.types.ts';
import type { Holdings, TransferDone, TransferFeature, TransferPreview } from '../../src/accounts/transfer.service.ts';
import { csrfField } from '../csrf-field.ts';
import { html, type SafeHtml } from '../html.ts';
import { visibleChars } from '../url-display.ts';
import { fieldErrorText, inputAria, messageFor, type FieldError } from './field-error.ts';

const n = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
const who = (u: User) => html`<bdi>${visibleChars(u.email)}</bdi>`;

/** "3 links (1 of them deleted) and 2 QR codes" */
export function holdingsText(h: Pick<Holdings, 'links' | 'deletedLinks' | 'qrCodes'>): string {
  const links = h.links + h.deletedLinks;
  const deleted = h.deletedLinks > 0 ? ` (${h.deletedLinks.toLocaleString('en')} of them deleted)` : '';
  return `${n(links, 'link')}${deleted} and ${n(h.qrCodes, 'QR code')}`;
}

const FEATURE_WORDS: Record<TransferFeature, (count: number) => string> = {
  password: (c) => `${n(c, 'link')} ${c === 1 ? 'has' : 'have'} a password`,
  expiry: (c) => `${n(c, 'link')} ${c === 1 ? 'has' : 'have'} an expiry date`,
  customAlias: (c) => `${n(c, 'link')} ${c === 1 ? 'has' : 'have'} a custom alias`,
  qrColors: (c) => `${n(c, 'QR code')} ${c === 1 ? 'has' : 'have'} custom colours`,
};

/** What the recipient's plan means for what they get: said before the admin confirms. */
function planConsequences(p: TransferPreview): SafeHtml {
  const u = p.usage;
  const limit =
    u.limit === null
      ? html`<li>Their plan (${p.toPlan.name}) has no link limit.</li>`
      : u.over > 0
        ? html`<li class="warning">This takes ${who(p.to)} past the link limit of their plan (${p.toPlan.name}, ${u.limit.toLocaleString('en')} links): they have ${u.before.toLocaleString('en')} and will have ${u.after.toLocaleString('en')}, ${u.over.toLocaleString('en')} over. The transfer still goes ahead; they keep every link, but cannot create new ones until they are under the limit again (as after a downgrade).</li>`
        : html`<li>They will have ${u.after.toLocaleString('en')} of the ${u.limit.toLocaleString('en')} links their plan (${p.toPlan.name}) allows.</li>`;
  const lacking = p.lacking.map(
    (l) => {
      const one = l.count === 1;
      const kept = l.feature === 'qrColors' ? (one ? 'it keeps its colours' : 'they keep their colours') : one ? 'it keeps working' : 'they keep working';
      return html`<li>${FEATURE_WORDS[l.feature](l.count)}, which their plan (${p.toPlan.name}) does not offer: ${kept}, as after a downgrade, but ${who(p.to)} cannot add this to other links or change it.</li>`;
    },
  );
  return html`${limit}${lacking}`;
}

export function transferPage(p: {
  from: User;
  moving: Holdings;
  candidates: User[];
  csrfToken: string;
  preview?: TransferPreview | null;
  error?: FieldError;
  chosen?: string;
}): SafeHtml {
  const f = p.from;
  const action = `/dashboard/users/${f.id}/transfer`;
  const error = messageFor(p.error, 'to');
  const chosen = p.preview ? String(p.preview.to.id) : (p.chosen ?? '');
  return html`<header class="page-head"><h1>Transfer links and QR codes of ${who(f)}</h1>
<p class="muted"><a href="/dashboard/users">All users</a>. ${who(f)} has ${holdingsText(p.moving)}. They all go to the user you choose, with their click history; deleted links go too, so that their codes stay reserved to the new owner, who may take them back. Redirects do not change. API keys stay with ${who(f)}.</p></header>
<section class="card stack" aria-labelledby="transfer-choose-h">
<h2 id="transfer-choose-h">New owner</h2>
${
  p.candidates.length === 0
    ? html`<p class="empty-state">There is no other active user to transfer them to.</p>`
    : html`<form method="get" action="${action}" class="stack">
<div class="field"><label for="transfer-to">Transfer to</label>
<select id="transfer-to" name="to" required${inputAria('transfer-to', error)}><option value="">Choose a user</option>${p.candidates.map(
        (u) => html`<option value="${u.id}"${String(u.id) === chosen ? html` selected` : null}>${visibleChars(u.email)}</option>`,
      )}</select>${fieldErrorText('transfer-to', error, true)}</div>
<div class="form-actions"><button type="submit" class="button secondary">Review the transfer</button></div>
</form>`
}
</section>
${p.preview ? transferConfirm(p.preview, p.csrfToken) : null}`;
}

function transferConfirm(p: TransferPreview, csrfToken: string): SafeHtml {
  const action = `/dashboard/users/${p.from.id}/transfer`;
  const m = p.moving;
  if (m.links + m.deletedLinks + m.qrCodes === 0) {
    return html`<section class="card" data-confirmation><p>${who(p.from)} has no links or QR codes: there is nothing to transfer.</p></section>`;
  }
  return html`<section class="card stack" aria-labelledby="transfer-confirm-h" data-confirmation>
<h2 id="transfer-confirm-h">Transfer everything of ${who(p.from)} to ${who(p.to)}?</h2>
<ul>
<li>${holdingsText(p.moving)} move from ${who(p.from)} to ${who(p.to)}, with their click history. ${who(p.from)} can no longer see or edit them; ${who(p.to)} can.</li>
${planConsequences(p)}
<li>Redirects and click counts do not change. The API keys of ${who(p.from)} stay theirs and no longer reach these links.</li>
<li>What ${who(p.from)} holds now moves; links they make afterwards stay theirs (deactivate the account to stop that).</li>
</ul>
<form method="post" action="${action}" hx-boost="true" hx-push-url="/dashboard/users">${csrfField(csrfToken)}<input type="hidden" name="to" value="${p.to.id}">
<button type="submit" class="button danger">Transfer to ${visibleChars(p.to.email)}</button></form>
</section>`;
}

/** Said on the users screen after a transfer. */
export function transferNotice(d: TransferDone): SafeHtml {
  const over = d.usage.over > 0 ? html` They are now ${d.usage.over.toLocaleString('en')} over the link limit of their plan (${d.toPlan.name}): new links are refused until they delete some.` : null;
  return html`<p class="notice" role="status" data-confirmation>Transferred ${holdingsText(d.moved)} from ${who(d.from)} to ${who(d.to)}.${over}</p>`;
}
