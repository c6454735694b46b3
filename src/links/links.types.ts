export type RedirectMode = 'direct' | 'bridge' | 'preview';

/** Whether a link redirects at time t: active and not yet expired (the one rule every reader shares). */
export const isLive = (l: { isActive: boolean; expiresAt: number | null }, t: number) => l.isActive && (l.expiresAt === null || l.expiresAt > t);

export interface Utm {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
}

export interface Schedule {
  id: number;
  startsAt: number | null;
  endsAt: number | null;
  destination: string;
}

export interface LinkLabels {
  userId: number | null;
  userAgent: string | null;
  ip: string | null;
}

export interface Link {
  id: number;
  code: string;
  isAlias: boolean;
  destination: string;
  title: string | null;
  description: string | null;
  pageTitle: string | null;
  thumbnailUrl: string | null;
  userId: number | null;
  source: string;
  redirectMode: RedirectMode;
  bridgeDelaySeconds: number;
  passwordHash: string | null;
  expiresAt: number | null;
  isActive: boolean;
  utm: Utm | null;
  statsPrivate: boolean;
  hasDeleteToken: boolean;
  labels: LinkLabels;
  totalClicks: number;
  uniqueClicks: number;
  lastClickedAt: number | null;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

/** What a bridge or preview page shows about its link. */
export interface PageFacts {
  /** page title, else title (the bridge page falls back to the destination's host) */
  title: string | null;
  description: string | null;
  thumbnailUrl: string | null;
  /** bridge pages: seconds before the automatic redirect */
  delaySeconds: number;
}

/**
 * What the redirect path needs, small enough to cache for every hot code
 * (~300 bytes with its cache slot). page is null for direct links, which
 * never render one: titles and descriptions stay out of the cache for the
 * vast majority of links.
 */
export interface RedirectTarget {
  id: number;
  destination: string;
  redirectMode: RedirectMode;
  passwordHash: string | null;
  expiresAt: number | null;
  isActive: boolean;
  utm: Utm | null;
  schedules: readonly Schedule[];
  page: PageFacts | null;
}

export type LinkSortColumn = 'id' | 'code' | 'destination' | 'title' | 'total_clicks' | 'unique_clicks' | 'created_at' | 'updated_at' | 'expires_at' | 'is_active';

/** Where a keyset page of links ends: the last link read. */
export interface LinkCursor {
  createdAt: number;
  id: number;
}

/** A link's standing as the dashboard's badges name it: one of them holds for every live link. */
export type LinkStatus = 'active' | 'paused' | 'expired' | 'password';
export const LINK_STATUSES: readonly LinkStatus[] = ['active', 'paused', 'expired', 'password'];

export interface ListLinksQuery {
  search?: string;
  /** only links of this standing */
  status?: LinkStatus;
  page: number;
  perPage: number;
  sort?: LinkSortColumn;
  direction?: 'asc' | 'desc';
  /** admins only: list every user's links */
  allUsers?: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  perPage: number;
}
