/**
 * How many turns of the event loop other work got while `work` ran: a
 * request that reads a whole account in one go gives none (it is over before
 * the second), one that reads in chunks gives one or more a chunk.
 */
export async function turnsDuring<T>(work: Promise<T>): Promise<{ value: T; turns: number }> {
  let running = true;
  let turns = 0;
  const done = work.finally(() => (running = false));
  while (running) {
    await new Promise((resolve) => setImmediate(resolve));
    turns++;
  }
  return { value: await done, turns };
}
