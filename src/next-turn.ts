/**
 * One thread answers every request, redirects included: work that reads a
 * whole account (a search, a list of every URL) awaits this between chunks so
 * that requests which arrived meanwhile are answered before it goes on.
 * setImmediate, not a resolved promise: microtasks run before any I/O does.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Work between turns: long enough that the turns cost little, short enough that a redirect barely waits. */
export const WORK_MS = 4;

/**
 * Turns for other requests, one each time WORK_MS of work have passed since the last: for loops over
 * chunks, which call pause() between them.
 */
export class Pacer {
  private since = performance.now();

  async pause(): Promise<void> {
    if (performance.now() - this.since < WORK_MS) return;
    await nextTurn();
    this.since = performance.now();
  }
}
