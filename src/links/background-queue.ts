/**
 * Runs background work a few at a time, taking turns between owners, with a
 * bounded wait list per owner: a bulk create or a CSV import of 1,000 links
 * must not open 1,000 connections to other sites at once (an amplifier
 * against them, and hundreds of MB of pages held here), nor make everyone
 * else's work wait behind it. Work that finds its owner's list full is not
 * queued: the caller does without it.
 */
type Task = () => Promise<unknown>;

export function createBackgroundQueue(opts: { concurrency: number; maxWaitingPerOwner: number }) {
  let running = 0;
  // owners with work waiting, in turn order (a Map keeps insertion order: served owners go to the back)
  const waiting = new Map<string, Task[]>();

  function next(): void {
    while (running < opts.concurrency && waiting.size > 0) {
      const [owner, tasks] = waiting.entries().next().value!;
      const task = tasks.shift()!;
      waiting.delete(owner);
      if (tasks.length > 0) waiting.set(owner, tasks);
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
    /** False when `owner` already has maxWaitingPerOwner tasks waiting and `task` was not queued. */
    run(owner: string, task: Task): boolean {
      const tasks = waiting.get(owner) ?? [];
      if (tasks.length >= opts.maxWaitingPerOwner) return false;
      tasks.push(task);
      if (tasks.length === 1) waiting.set(owner, tasks);
      next();
      return true;
    },
  };
}
