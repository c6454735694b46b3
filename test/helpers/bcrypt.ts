/** Waiting for the moment a request is inside its bcrypt comparison (tens of milliseconds at cost 10), to change things under it. */
import { bcryptJobsPending } from '../../src/accounts/bcrypt-pool.ts';

export async function untilBcryptRuns(timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (bcryptJobsPending() === 0) {
    if (Date.now() > until) throw new Error('no bcrypt job started');
    await Bun.sleep(1);
  }
}
