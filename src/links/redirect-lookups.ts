/**
 * Redirect cache misses are read together: every code missed during one turn
 * of the event loop is looked up at the start of the next (setImmediate) in
 * one statement, and a code missed twice meanwhile is read once.
 *
 * With SQLite each statement is a read transaction of its own, and beginning
 * one costs two fcntl locks on the WAL index and an fstat whatever it then
 * reads: more than finding the code itself once its pages are cached. Under
 * a load of cold codes (bench:redirect's random scenario) a turn handles
 * several requests, so their misses share one transaction; an idle server's
 * miss waits only for the end of the turn it arrived in. Two requests for a
 * code that just fell out of the cache (a viral link after an edit) make one
 * read, not one each.
 */

/** Reads the values of some keys; a key with no value is left out of the map. */
export type ReadMany<T> = (keys: string[]) => Promise<Map<string, T>>;

/** Keys per read: a turn that misses more (a flood of random codes) reads them in parts. */
export const MAX_KEYS_PER_READ = 500;

export function createBatchedLookup<T>(read: ReadMany<T>) {
  let waiting: Map<string, PromiseWithResolvers<T | null>> | null = null;

  async function readWaiting(): Promise<void> {
    const batch = waiting!;
    waiting = null;
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_READ) await readPart(batch, keys.slice(i, i + MAX_KEYS_PER_READ));
  }

  async function readPart(batch: Map<string, PromiseWithResolvers<T | null>>, part: string[]): Promise<void> {
    try {
      const found = await read(part);
      for (const key of part) batch.get(key)!.resolve(found.get(key) ?? null);
    } catch (e) {
      // read alone, one at a time: a failure fails only the requests it is theirs to fail
      if (part.length > 1) for (const key of part) await readPart(batch, [key]);
      else batch.get(part[0]!)!.reject(e);
    }
  }

  return (key: string): Promise<T | null> => {
    if (waiting === null) {
      waiting = new Map();
      setImmediate(readWaiting);
    }
    let pending = waiting.get(key);
    if (pending === undefined) waiting.set(key, (pending = Promise.withResolvers<T | null>()));
    return pending.promise;
  };
}
