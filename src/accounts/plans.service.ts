/**
 * Plans are rows an admin can edit; the seeded defaults follow the hosted
 * services' documents (free: no API access, 100 links; pro; enterprise).
 */
import { DomainError } from '../errors.ts';
import type { Plan } from './accounts.types.ts';
import type { PlanFields, PlansRepo } from './plans.repo.ts';

export const DEFAULT_PLANS: PlanFields[] = [
  { name: 'free', rateLimitPerMinute: 60, apiAccess: false, maxLinks: 100, customAlias: false, password: false, expiry: false, qrColors: false },
  { name: 'pro', rateLimitPerMinute: 120, apiAccess: true, maxLinks: 10_000, customAlias: true, password: true, expiry: true, qrColors: true },
  { name: 'enterprise', rateLimitPerMinute: 300, apiAccess: true, maxLinks: null, customAlias: true, password: true, expiry: true, qrColors: true },
];

export type PlanPatch = Partial<Omit<PlanFields, 'name'>>;

export function createPlansService(deps: { plans: PlansRepo }) {
  const { plans } = deps;
  return {
    async seedDefaults(): Promise<void> {
      // read first: on every start but the first all plans exist, and three no-op write statements cost ~7 ms of it
      const existing = new Set((await plans.list()).map((p) => p.name));
      for (const p of DEFAULT_PLANS) if (!existing.has(p.name)) await plans.insertIfMissing(p);
    },
    list: () => plans.list(),
    /** @throws NOT_FOUND */
    async get(id: number): Promise<Plan> {
      const p = await plans.findById(id);
      if (!p) throw new DomainError('NOT_FOUND', 'Plan not found.');
      return p;
    },
    /** @throws NOT_FOUND */
    async getByName(name: string): Promise<Plan> {
      const p = await plans.findByName(name);
      if (!p) throw new DomainError('NOT_FOUND', `Plan "${name}" does not exist (plans: ${(await plans.list()).map((x) => x.name).join(', ')}).`);
      return p;
    },
    /** @throws NOT_FOUND, VALIDATION */
    async update(name: string, patch: PlanPatch): Promise<Plan> {
      const plan = await this.getByName(name);
      if (patch.rateLimitPerMinute !== undefined && (!Number.isSafeInteger(patch.rateLimitPerMinute) || patch.rateLimitPerMinute < 1)) {
        throw new DomainError('VALIDATION', 'The rate limit must be a whole number of at least 1.', { field: 'rate_limit' });
      }
      if (patch.maxLinks !== undefined && patch.maxLinks !== null && (!Number.isSafeInteger(patch.maxLinks) || patch.maxLinks < 0)) {
        throw new DomainError('VALIDATION', 'The link limit must be a whole number of at least 0, or unlimited.', { field: 'max_links' });
      }
      return (await plans.update(plan.id, patch)) ?? plan;
    },
  };
}
export type PlansService = ReturnType<typeof createPlansService>;
