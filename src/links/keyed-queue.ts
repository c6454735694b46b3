/**
 * Runs async tasks that share a key one after another, tasks with other keys
 * alongside: for check-then-write sequences no index can guard. In-process
 * only, which is all one appliance process needs.
 */
export function keyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const before = tails.get(key) ?? Promise.resolve();
      const result = before.then(task, task);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      try {
        return await result;
      } finally {
        // the last task of a key forgets it, so the map holds only keys with work in flight
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
