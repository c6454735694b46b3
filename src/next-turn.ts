/**
 * One thread answers every request, redirects included: work that reads a
 * whole account (a search, a list of every URL) awaits this between chunks so
 * that requests which arrived meanwhile are answered before it goes on.
 * setImmediate, not a resolved promise: microtasks run before any I/O does.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
