/**
 * makeTestApp(): the real createApp over the real services, on a fresh temp
 * database built by the real migrations. Named fixtures create users and keys
 * the way the CLI does. Outbound Open Graph fetching is replaced by a stub
 * unless the test passes its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import { createAppDeps } from '../../src/http/app-deps.ts';
import { createRedirectKit } from '../../src/redirect/redirect-kit.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { buildServices, type ServiceOverrides } from '../../src/services.ts';

export const BASE = 'http://localhost:8080';

export interface TestAppOptions extends ServiceOverrides {
  env?: Record<string, string>;
}

export async function makeTestApp(opts: TestAppOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shrinkray-test-'));
  const config: Config = loadConfig({ DATA_DIR: dir, BASE_URL: BASE, LOG_LEVEL: 'silent', OG_FETCH: 'false', ...opts.env });
  const handle = openDatabase(config.dataDir);
  migrate(handle.sqlite);
  const services = await buildServices(config, handle, { fetchMeta: async () => null, ...opts });
  // built here, as the server builds them before the app, so that tests can read the app's logger
  const deps = createAppDeps(services);
  const app = createApp(services, { deps, kit: createRedirectKit(deps) });
  let seq = 0;

  /** Sends a request through app.handle; the path is relative to BASE. */
  async function request(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; form?: Record<string, string>; raw?: string } = {}) {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (init.raw !== undefined) {
      body = init.raw;
    } else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    return app.handle(new Request(BASE + path, { method, headers, body }));
  }

  return {
    app,
    deps,
    services,
    config,
    dir,
    /** the raw database, to plant rows an older version could have written */
    sqlite: handle.sqlite,
    request,
    /** a user with a key; plan defaults to pro so the API is open */
    async user(plan: 'free' | 'pro' | 'enterprise' = 'pro', role: 'admin' | 'member' = 'member') {
      const email = `user${++seq}@example.com`;
      const user = await services.users.create({ email, password: 'correct horse battery', plan, role });
      const { key } = await services.keys.create(user.id, 'test');
      const auth = { authorization: `Bearer ${key}` };
      return { user, key, email, password: 'correct horse battery', auth };
    },
    /** writes queued clicks now instead of waiting for the timer */
    flush: () => services.recorder.flush(),
    async close() {
      await services.shutdown();
      handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type TestApp = Awaited<ReturnType<typeof makeTestApp>>;
