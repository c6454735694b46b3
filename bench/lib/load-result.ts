/** What every load generator reports, so the benchmark can compare runs. */
export interface LoadResult {
  /** responses received (any status) */
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** responses that were not the expected 302 (the Bun generator) or were >= 400 (wrk) */
  badStatus: number;
  /** connect/read/write errors and timeouts */
  socketErrors: number;
}
