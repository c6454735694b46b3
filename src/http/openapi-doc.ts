/**
 * Builds a route's OpenAPI `detail` from TypeBox schemas. Request bodies are
 * parsed by each dialect (its own messages and envelope), so schemas are
 * given to the document here rather than to Elysia's validator.
 */
import type { TSchema } from '@sinclair/typebox';

export interface DocSpec {
  tag: string;
  summary: string;
  /** where the one made from the path would not do for a generated client (a hyphen in it, two routes alike) */
  operationId?: string;
  description?: string;
  body?: TSchema;
  /** also accepts application/x-www-form-urlencoded */
  form?: boolean;
  /** alsoAs: other media types the same answer comes in, as text or a file (a CSV besides the JSON) */
  responses: Record<number, { description: string; schema?: TSchema; type?: string; alsoAs?: string[] }>;
  /** 'bearer': the dialect takes its key as a Bearer token only */
  security?: 'key' | 'bearer' | 'none' | 'optional-key';
  query?: Record<string, { description: string; type?: 'string' | 'integer' | 'boolean'; required?: boolean }>;
}

const BINARY = { type: 'string' as const, format: 'binary' };
export const QUERY_KEY = 'x-shrinkray-query';

type Operation = { parameters?: { in: string }[]; [QUERY_KEY]?: { in: string }[] };

/** The document with each operation's query parameters (see doc()) beside the path parameters the plugin found. */
export function withQueryParameters<T extends { paths?: Record<string, Record<string, unknown>> }>(spec: T): T {
  for (const item of Object.values(spec.paths ?? {})) {
    for (const op of Object.values(item) as (Operation | null)[]) {
      if (!op || typeof op !== 'object' || !op[QUERY_KEY]) continue;
      op.parameters = [...(op.parameters ?? []).filter((p) => p.in !== 'query'), ...op[QUERY_KEY]];
      delete op[QUERY_KEY];
    }
  }
  return spec;
}
const KEY_SECURITY = [{ bearer: [] }, { apiKeyHeader: [] }, { apiKeyQuery: [] }];

export function doc(spec: DocSpec) {
  const content = (schema: TSchema) => ({
    'application/json': { schema },
    ...(spec.form ? { 'application/x-www-form-urlencoded': { schema } } : {}),
  });
  return {
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.operationId ? { operationId: spec.operationId } : {}),
    description: spec.description,
    ...(spec.body ? { requestBody: { required: true, content: content(spec.body) } } : {}),
    // under our own key: the plugin replaces `parameters` with the path parameters it reads from the
    // route (`:code`), dropping these; docs.ts puts them back beside those (withQueryParameters)
    ...(spec.query
      ? {
          [QUERY_KEY]: Object.entries(spec.query).map(([name, q]) => ({
            name,
            in: 'query',
            required: q.required ?? false,
            description: q.description,
            schema: { type: q.type ?? 'string' },
          })),
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(spec.responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          // a type without a schema is a file (an image, a CSV)
          ...(r.schema || r.type
            ? { content: { [r.type ?? 'application/json']: { schema: r.schema ?? BINARY }, ...Object.fromEntries((r.alsoAs ?? []).map((type) => [type, { schema: BINARY }])) } }
            : {}),
        },
      ]),
    ),
    security: spec.security === 'none' ? [] : spec.security === 'bearer' ? [{ bearer: [] }] : spec.security === 'optional-key' ? [{}, ...KEY_SECURITY] : KEY_SECURITY,
  };
}

/** doc() for dialects whose documents accept only `Authorization: Bearer` (Linx.ly, lnkz). */
export const bearerDoc = (spec: Omit<DocSpec, 'security'>) => doc({ ...spec, security: 'bearer' });
