/**
 * The bcrypt thread: hashes and compares passwords off the thread that
 * answers redirects. bcryptjs is plain JavaScript (~70 ms a call at cost 10),
 * so on the request thread every password create, unlock or sign-in stalled
 * every other request for that long. Here the synchronous calls are fine: this
 * thread does nothing else.
 */
import bcrypt from 'bcryptjs';
import type { BcryptJob, BcryptReply } from './bcrypt-pool.ts';

declare const self: Worker;

self.onmessage = (event: MessageEvent<BcryptJob>) => {
  const job = event.data;
  let reply: BcryptReply;
  try {
    reply = job.op === 'hash' ? { id: job.id, value: bcrypt.hashSync(job.plain, job.cost) } : { id: job.id, value: bcrypt.compareSync(job.plain, job.hash) };
  } catch (e) {
    reply = { id: job.id, error: e instanceof Error ? e.message : String(e) };
  }
  self.postMessage(reply);
};
