/**
 * The opening of every page up to the end of <head>: charset, viewport,
 * robots, title, icon and our stylesheets. Pages add their own meta and
 * scripts through `extra`.
 */
import { html, type SafeHtml } from './html.ts';

export interface HeadProps {
  title: string;
  /** false only for the public home page, which may be indexed */
  noindex?: boolean;
  stylesheets?: string[];
  extra?: SafeHtml | null;
}

export function documentHead(p: HeadProps): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${p.noindex === false ? '' : html`<meta name="robots" content="noindex, nofollow">`}
<title>${p.title}</title>
<link rel="icon" href="/public/favicon.svg" type="image/svg+xml">
${(p.stylesheets ?? ['/public/css/app.css']).map((href) => html`<link rel="stylesheet" href="${href}">\n`)}${p.extra ?? ''}
</head>`;
}
