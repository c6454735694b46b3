/**
 * buildServices(): the one wiring of repositories and services, shared by the
 * server, the CLI and the tests, so all three run the same code.
 */
import { createKeysRepo } from './accounts/keys.repo.ts';
import { createKeysService } from './accounts/keys.service.ts';
import { createPlansRepo } from './accounts/plans.repo.ts';
import { createPlansService } from './accounts/plans.service.ts';
import { randomHex } from './accounts/secrets.ts';
import { createUsersRepo } from './accounts/users.repo.ts';
import { createUsersService } from './accounts/users.service.ts';
import { createSessionsRepo } from './accounts/sessions.repo.ts';
import { createSessionsService } from './accounts/sessions.service.ts';
import { createTransferService } from './accounts/transfer.service.ts';
import { createUserAdminService } from './accounts/user-admin.service.ts';
import { createAnalyticsService } from './clicks/analytics.service.ts';
import { createBatchWriter } from './clicks/batch-writer.ts';
import { createClickRetentionRepo } from './clicks/click-retention.repo.ts';
import { createDeletedHistoryRepo } from './clicks/deleted-history.repo.ts';
import { createClickUpkeep } from './clicks/click-upkeep.ts';
import { createPlannerStats } from './db/planner-stats.ts';
import { createClicksRepo } from './clicks/clicks.repo.ts';
import { loadCountryLookup } from './clicks/geoip-file.ts';
import { createClickRecorder, DEFAULT_MAX_QUEUE } from './clicks/recorder.ts';
import type { ClickBatch } from './clicks/click-batch.ts';
import { createWorkerWriter, type ClickWriter } from './clicks/worker-writer.ts';
import { createBreakdownReport } from './clicks/reports/breakdown.ts';
import { createClicksByDayReport } from './clicks/reports/clicks-by-day.ts';
import { createEnricher, type CountryLookup } from './clicks/visitor.ts';
import type { Config } from './config.ts';
import type { DbHandle } from './db/client.ts';
import { createMetaFetcher, type PageMeta } from './fetcher/og.ts';
import { createSafeFetcher } from './fetcher/safe-fetch.ts';
import { createUnshortener } from './fetcher/unshorten.ts';
import { createLinksRepo } from './links/links.repo.ts';
import { createLinksService } from './links/links.service.ts';
import { createOwnershipRepo } from './links/ownership.repo.ts';
import { urlPolicyOf } from './links/url-policy.ts';
import { createRedirectCache } from './links/redirect-cache.ts';
import { heapSize } from 'bun:jsc';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createQrRepo } from './qr/qr.repo.ts';
import { createQrService } from './qr/qr.service.ts';
import { createSettingsRepo } from './settings/settings.repo.ts';

export interface ServiceOverrides {
  /** where clicks are enriched and written: this thread (CLI, tests) or the flush worker (the server) */
  clickWriter?: 'inline' | 'worker';
  /** replaces Open Graph fetching (tests) */
  fetchMeta?: (url: string) => Promise<PageMeta | null>;
  country?: CountryLookup;
  now?: () => number;
  /** starts the flush worker's thread (tests watch or stop it) */
  spawnWorker?: (url: string) => Worker;
  /** where failed click writes are reported (tests read it) */
  logger?: Logger;
}

let countryLookup: Promise<CountryLookup> | undefined;

interface InlineWriterOptions {
  secret: string;
  dataDir: string;
  retentionDays: number;
  country?: CountryLookup;
  now?: () => number;
  onUpkeepError: (message: string) => void;
}

/**
 * Enriches and writes clicks on this thread (CLI, tests). Built on the first
 * write: most CLI commands never record a click, so they never read the GeoIP
 * data (loaded once per process, and not at all when a lookup is given).
 * Each write waits for the tables' upkeep it starts (click-upkeep.ts), so
 * that a flush leaves them as the flush worker eventually does.
 */
function createInlineWriter(db: DbHandle['db'], opts: InlineWriterOptions): ClickWriter {
  let writer: Promise<(chunks: Uint8Array[]) => Promise<void>> | undefined;
  const repo = createClicksRepo(db.$client);
  const upkeep = createClickUpkeep({
    clicks: repo,
    retention: createClickRetentionRepo(db.$client),
    deleted: createDeletedHistoryRepo(db.$client),
    retentionDays: opts.retentionDays,
    stats: createPlannerStats(db.$client),
    now: opts.now,
  });
  const build = async () => createBatchWriter(repo, createEnricher({ secret: opts.secret, country: opts.country ?? (await (countryLookup ??= loadCountryLookup(opts.dataDir))) }));
  return {
    write: async (batch) => {
      await (await (writer ??= build()))(batch.chunks);
      // the batch is stored: a failed upkeep must not fail its write (the recorder would write it again)
      await upkeep.run().catch((e) => opts.onUpkeepError(String(e)));
    },
    close: () => upkeep.stop(),
  };
}

export async function buildServices(config: Config, handle: DbHandle, overrides: ServiceOverrides = {}) {
  const { db } = handle;
  const metrics = createMetrics();

  const plans = createPlansService({ plans: createPlansRepo(db) });
  await plans.seedDefaults();
  const users = createUsersService({ users: createUsersRepo(db), plans });
  const keys = createKeysService({ keys: createKeysRepo(db), users, now: overrides.now });
  const sessions = createSessionsService({ sessions: createSessionsRepo(db), users, now: overrides.now });
  const transfers = createTransferService({ users, plans, ownership: createOwnershipRepo(db) });
  const userAdmin = createUserAdminService({ users, plans, sessions, keys, transfers });

  const fetcher = createSafeFetcher({ allowPrivateTargets: config.allowPrivateTargets });
  const fetchMeta = overrides.fetchMeta ?? (config.ogFetch ? createMetaFetcher(fetcher) : undefined);
  const shortUrl = (code: string) => `${config.baseUrl}/${code}`;

  const cache = createRedirectCache();
  const links = createLinksService({
    links: createLinksRepo(db),
    cache,
    policy: urlPolicyOf(config),
    fetchMeta,
    now: overrides.now,
  });
  const qr = createQrService({ qr: createQrRepo(db), links, shortUrl });
  const analytics = createAnalyticsService({
    reports: {
      clicksByDay: createClicksByDayReport(db),
      breakdown: createBreakdownReport(db),
    },
    now: overrides.now,
  });

  const settings = createSettingsRepo(db);
  const visitorSecret = await settings.getOrCreate('visitor_secret', () => randomHex(32));
  // kept across restarts: a browser's sign-in standing (http/trusted-device.ts) outlives an upgrade
  const deviceSecret = await settings.getOrCreate('device_secret', () => randomHex(32));
  const log = overrides.logger ?? createLogger(config.logLevel);
  // the fold or the retention purge failed after a batch: the batch is stored, and the next one tries again
  const upkeepReport = oncePerMinute();
  const onUpkeepError = (message: string) => {
    if (upkeepReport.due()) log.warn('click table upkeep failed; it is retried after the next batch', { error: message });
  };
  // The flush worker (a second JS context with its own connection and GeoIP reader) takes ~100 ms
  // to start, and only the first flush needs it: startServer starts it once the server listens
  // (started with the services, it competed with building the app for the two cores: restart to
  // first redirect 154 -> 128 ms median, paired). A write before that starts it too.
  let workerWriter: Promise<ClickWriter> | null = null;
  let workerHeap = () => 0;
  const startWorker = (): Promise<ClickWriter> => {
    if (workerWriter) return workerWriter;
    const started = createWorkerWriter({
      dataDir: config.dataDir,
      secret: visitorSecret,
      retentionDays: config.clickRetentionDays,
      spawn: overrides.spawnWorker,
      onUpkeepError,
    });
    started.then(
      (w) => (workerHeap = () => w.heapBytes ?? 0),
      // reported to startClickWriter or the write that started it; the next write tries again
      () => workerWriter === started && (workerWriter = null),
    );
    return (workerWriter = started);
  };
  const workerWrite = async (batch: ClickBatch): Promise<void> => {
    const running = startWorker();
    let w = await running;
    if (w.failed) {
      // its thread died: a new one takes its place (the recorder still holds this batch's clicks)
      if (workerWriter === running) workerWriter = null;
      void w.close();
      w = await startWorker();
    }
    return w.write(batch);
  };
  const writer: ClickWriter =
    overrides.clickWriter === 'worker'
      ? { write: workerWrite, close: async () => (await workerWriter?.catch(() => null))?.close() }
      : createInlineWriter(db, { secret: visitorSecret, dataDir: config.dataDir, retentionDays: config.clickRetentionDays, country: overrides.country, now: overrides.now, onUpkeepError });
  const flushSeconds = metrics.histogram('shrinkray_click_flush_seconds', 'Duration of one click batch write.', [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1]);
  // with({}) writes each counter's 0 sample at once: rate() over a series that is not there yet shows no data, not 0
  const flushedClicks = metrics.counter('shrinkray_clicks_flushed_total', 'Clicks written to the database.').with({});
  const flushErrors = metrics.counter('shrinkray_click_flush_errors_total', 'Click batch writes that failed and were requeued.').with({});
  const droppedClicks = metrics.counter('shrinkray_clicks_dropped_total', `Clicks dropped because ${DEFAULT_MAX_QUEUE} were already waiting to be written.`).with({});
  /** Whether click batches are being written: /healthz reports a failure that lasts. */
  const writes: { failingSince: number | null; lastError: string } = { failingSince: null, lastError: '' };
  const writeReport = oncePerMinute();
  const recorder = createClickRecorder({
    write: (batch) => writer.write(batch),
    flushMs: config.clickFlushMs,
    onFlush: ({ clicks, ms }) => {
      flushSeconds(ms / 1000);
      flushedClicks(clicks);
      if (writes.failingSince !== null) {
        log.warn('click writes recovered', { failed_for_ms: Date.now() - writes.failingSince });
        writes.failingSince = null;
        writeReport.reset();
      }
    },
    onError: (error) => {
      flushErrors();
      const t = Date.now();
      writes.lastError = (error as Error)?.message ?? String(error);
      writes.failingSince ??= t;
      if (writeReport.due()) log.error('clicks could not be written; they stay queued and are retried', { error: writes.lastError, queued: recorder.depth });
    },
    onDrop: () => droppedClicks(),
  });
  metrics.gauge('shrinkray_click_queue_depth', 'Clicks waiting to be written.', () => recorder.depth);
  metrics.gauge('shrinkray_redirect_cache_entries', 'Codes held in the redirect cache.', () => cache.size);
  metrics.gauge('process_resident_memory_bytes', 'Resident memory of the whole process (every thread).', () => process.memoryUsage.rss());
  metrics.gauge('shrinkray_js_heap_bytes', 'JS heap of the request thread.', () => heapSize());
  metrics.gauge('shrinkray_flush_worker_js_heap_bytes', 'JS heap of the click flush worker as of its last batch (0 without a worker).', () => workerHeap());

  return {
    config,
    db: handle,
    metrics,
    plans,
    users,
    keys,
    sessions,
    userAdmin,
    /** a user's links and QR codes to another (the CLI's; the dashboard's goes through userAdmin) */
    transfers,
    links,
    qr,
    analytics,
    recorder,
    shortUrl,
    /** signs the cookie of a browser that has signed in before (http/trusted-device.ts) */
    deviceSecret,
    /** the clock the core judges times by (tests pin it): an adapter checking a time before the core must agree with it */
    now: overrides.now ?? Date.now,
    unshorten: createUnshortener(fetcher),
    /** Starts the flush worker if it is not running yet: resolves once clicks can be written, rejects when it cannot start. */
    startClickWriter: (): Promise<void> => (overrides.clickWriter === 'worker' ? startWorker().then(() => undefined) : Promise.resolve()),
    clickWrites: writes as Readonly<typeof writes>,
    /**
     * Writes every queued click, then stops the click writer. Call before closing the database.
     * @throws Error when queued clicks could not be written (they are lost with the process: said, not hidden)
     */
    async shutdown(): Promise<void> {
      await recorder.stop();
      const left = recorder.depth;
      await writer.close();
      if (left > 0) throw new Error(`${left} queued click${left === 1 ? '' : 's'} could not be written (${writes.lastError || 'unknown error'}); they are lost`);
    },
  };
}
export type Services = Awaited<ReturnType<typeof buildServices>>;

/** A failure that lasts (a full disk) fails every tick or round: said at once, then once a minute while it lasts. */
function oncePerMinute() {
  let at = 0;
  return {
    due(): boolean {
      const now = Date.now();
      if (now - at < 60_000) return false;
      at = now;
      return true;
    },
    /** it recovered: the next failure is said at once */
    reset(): void {
      at = 0;
    },
  };
}
