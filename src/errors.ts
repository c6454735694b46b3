/**
 * The core's only error type. Services throw DomainError with a code from a
 * closed union; each dialect maps every code to its own status and envelope
 * through an exhaustive Record<ErrorCode, …>, so adding a code here fails the
 * type check until every dialect decides how to render it.
 */
export type ErrorCode =
  | 'VALIDATION' // input failed a rule; meta.field names the field
  | 'NOT_FOUND' // object missing, deleted, expired, or owned by someone else
  | 'CODE_TAKEN' // requested alias/code already in use or reserved
  | 'UNAUTHENTICATED' // no credentials, or credentials not valid
  | 'INVALID_TOKEN' // a delete/stats token or link password did not match
  | 'API_ACCESS_DENIED' // the plan has no API access
  | 'FEATURE_DENIED' // the plan lacks a feature (meta.feature)
  | 'QUOTA_EXCEEDED' // the plan's max_links is reached (meta.limit, meta.usage, meta.plan)
  | 'RATE_LIMITED' // too many requests (meta.retryAfter seconds)
  | 'FORBIDDEN' // authenticated but not allowed (e.g. member on admin action)
  | 'ANONYMOUS_DISABLED' // anonymous routes are off in this deployment
  | 'FETCH_FAILED' // an outbound fetch was refused or failed
  | 'UNAVAILABLE'; // storage cannot do it now (disk full, I/O error, locked too long); meta.retryAfter seconds

export interface DomainErrorMeta {
  field?: string;
  feature?: string;
  retryAfter?: number;
  limit?: number | null;
  usage?: number;
  plan?: string;
  [key: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly meta: DomainErrorMeta = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

export const ERROR_CODES: readonly ErrorCode[] = [
  'VALIDATION',
  'NOT_FOUND',
  'CODE_TAKEN',
  'UNAUTHENTICATED',
  'INVALID_TOKEN',
  'API_ACCESS_DENIED',
  'FEATURE_DENIED',
  'QUOTA_EXCEEDED',
  'RATE_LIMITED',
  'FORBIDDEN',
  'ANONYMOUS_DISABLED',
  'FETCH_FAILED',
  'UNAVAILABLE',
];

/**
 * A write refused by a unique index, in terms services can catch without
 * knowing the storage engine: repositories translate the engine's error into
 * this (see db/unique-violation.ts). Not a DomainError: the service decides
 * what it means (an alias or an email taken by a concurrent request).
 */
export class UniqueViolation extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : 'Unique constraint violated', { cause });
    this.name = 'UniqueViolation';
  }
}

/**
 * An insert refused because the owner would pass their plan's link limit,
 * counted inside the insert's transaction (so concurrent creates cannot pass
 * it together). The service turns it into QUOTA_EXCEEDED.
 */
export class LimitReached extends Error {
  constructor(readonly usage: number) {
    super('Link limit reached');
    this.name = 'LimitReached';
  }
}

/**
 * An admin's write refused because its admin is no longer an active admin,
 * checked inside the write's transaction (users.repo AdminWrite). The
 * service turns it into FORBIDDEN.
 */
export class NotAnAdmin extends Error {
  constructor() {
    super('No longer an active admin');
    this.name = 'NotAnAdmin';
  }
}
