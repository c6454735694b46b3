/**
 * Runs background work a few at a time, with a bounded wait list: a bulk
 * create or a CSV import of 1,000 links must not open 1,000 connections to
 * other sites at once (an amplifier against them, and hundreds of MB of
 * pages held here). Work that finds the list full is not queued: the caller
 * does without it.
 */
export function createBackgroundQueue(opts: { concurrency: number; maxWaiting: number }) {
  let running = 0;
  const waiting: (() => Promise<unknown>)[] = [];

  function next(): void {
    while (running < opts.concurrency && waiting.length > 0) {
      const task = waiting.shift()!;
      running++;
      void task()
        .catch(() => undefined)
        .finally(() => {
          running--;
          next();
        });
    }
  }

  return {
    /** False when the wait list is full and `task` was not queued. */
    run(task: () => Promise<unknown>): boolean {
      if (waiting.length >= opts.maxWaiting) return false;
      waiting.push(task);
      next();
      return true;
    },
    get size() {
      return { running, waiting: waiting.length };
    },
  };
}
