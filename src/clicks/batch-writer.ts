/** Packed clicks (click-batch.ts) -> enriched -> stored in one transaction: the same on the flush worker and inline. */
import { unpackClicks } from './click-batch.ts';
import type { ClicksRepo } from './clicks.repo.ts';
import type { EnrichedClick, RawClick } from './clicks.types.ts';

export function createBatchWriter(repo: ClicksRepo, enrich: (raw: RawClick) => EnrichedClick): (chunks: Uint8Array[]) => Promise<void> {
  return (chunks) => repo.writeBatch(unpackClicks(chunks).map(enrich));
}
