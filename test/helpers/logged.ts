/**
 * The info lines an app's logger writes while a test runs (admin actions are said in the log), as
 * "message {fields as JSON}"; restore() puts the logger back.
 */
import type { Logger } from '../../src/logger.ts';

export function captureInfo(logger: Logger): { logged: string[]; restore: () => void } {
  const logged: string[] = [];
  const info = logger.info;
  logger.info = (msg, fields) => void logged.push(`${msg} ${JSON.stringify(fields)}`);
  return { logged, restore: () => void (logger.info = info) };
}
