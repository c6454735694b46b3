/** A POST whose body the test sends later: `reading` resolves once the server has begun reading it (as a slow client's is). */
import { BASE } from './make-test-app.ts';

export function heldRequest(path: string, headers: Record<string, string>, text: string) {
  let release!: () => void;
  let started!: () => void;
  const reading = new Promise<void>((r) => (started = r));
  const gate = new Promise<void>((r) => (release = r));
  const bytes = new TextEncoder().encode(text);
  let sent = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        started();
        if (sent) return controller.close();
        await gate;
        controller.enqueue(bytes);
        sent = true;
      },
    },
    { highWaterMark: 0 }, // pulled only when the server reads, not when the request is made
  );
  const request = new Request(BASE + path, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
  return { request, reading, release };
}
