/**
 * The slice of Elysia's context our handlers use. Handlers take this and
 * return a Response, which keeps them independent of Elysia's generics and
 * trivially testable.
 */
export interface ServerLike {
  requestIP(request: Request): { address: string } | null;
}

export interface HttpContext {
  request: Request;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  server: ServerLike | null;
}

export type Handler = (ctx: HttpContext) => Promise<Response> | Response;
