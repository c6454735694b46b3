export type PlanName = 'free' | 'pro' | 'enterprise' | (string & {});
export type Role = 'admin' | 'member';

export interface Plan {
  id: number;
  name: PlanName;
  rateLimitPerMinute: number;
  apiAccess: boolean;
  /** null = unlimited */
  maxLinks: number | null;
  customAlias: boolean;
  password: boolean;
  expiry: boolean;
  qrColors: boolean;
}

export interface User {
  id: number;
  email: string;
  role: Role;
  planId: number;
  isActive: boolean;
  mustChangePassword: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ApiKey {
  id: number;
  userId: number;
  name: string;
  prefix: string;
  lastUsedAt: number | null;
  revokedAt: number | null;
  createdAt: number;
}

/** Whoever a request acts for, with the plan that gates what they may do. */
export interface Actor {
  user: User;
  plan: Plan;
}
