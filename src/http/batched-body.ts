/**
 * A response body written a part at a time as the client reads it, with a
 * turn of the event loop before each part after the first: a long answer (a
 * list of every URL, a CSV export) neither sits whole in memory nor holds the
 * thread that answers redirects while it is read and written.
 */
import { nextTurn } from '../next-turn.ts';

/**
 * `first` is the opening part, made before the response so that a refusal can still be a status;
 * `next()` makes each further part, or returns null when there is none. An error once the status
 * line has gone can only cut the body short: it is reported to `onError` first.
 */
export function batchedBody(first: string, next: () => Promise<string | null>, onError: (e: unknown) => void, onCancel?: () => Promise<unknown>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let opening = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        let part: string | null = first;
        if (!opening) {
          // a client that reads as fast as we write would otherwise get every part in one go
          await nextTurn();
          part = await next();
        }
        opening = false;
        if (part === null) controller.close();
        else if (part) controller.enqueue(encoder.encode(part));
      } catch (e) {
        onError(e);
        controller.error(e);
      }
    },
    async cancel() {
      await onCancel?.();
    },
  });
}
