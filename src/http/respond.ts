export type Headers = Record<string, string>;

export function json(status: number, body: unknown, headers: Headers = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

export const empty = (status: number, headers: Headers = {}) => new Response(null, { status, headers });

/** Headers every HTML page carries: no inline script, no framing, no sniffing. */
export const PAGE_SECURITY_HEADERS: Headers = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

export function html(status: number, body: string, headers: Headers = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', ...PAGE_SECURITY_HEADERS, ...headers },
  });
}

/** A CSV file to download. */
export function csvDownload(body: string | ReadableStream<Uint8Array>, filename: string, headers: Headers = {}): Response {
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'x-content-type-options': 'nosniff',
      ...headers,
    },
  });
}
