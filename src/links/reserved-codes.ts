/**
 * What a code may look like, and the words it may not be: apart from codes.ts (which loads nanoid to make
 * codes) so that the configuration, read by the first process before anything else, can tell a path that
 * names a code without loading it.
 */
export const RESERVED_CODES: ReadonlySet<string> = new Set([
  'api', 's', 'v1', 'dashboard', 'preview', 'docs', 'openapi.json', 'healthz', 'metrics',
  'login', 'logout', 'shorten', 'mcp', 'public', 'assets', 'favicon.ico', 'robots.txt',
]);

export const CODE_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;

export const isReservedCode = (code: string) => RESERVED_CODES.has(code.toLowerCase());
