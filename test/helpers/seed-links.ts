/**
 * `bun test/helpers/seed-links.ts DATA_DIR N`: a member with N links in the
 * database of DATA_DIR (migrated first). A process of its own, so that the
 * database is closed when it exits: a connection closed in a test's process
 * stays open in SQLite while the statements prepared on it live, and a
 * restore refuses to work beside an open connection.
 */
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { buildServices } from '../../src/services.ts';

const [dataDir, count] = process.argv.slice(2);
const n = Number(count);
const handle = openDatabase(dataDir!);
migrate(handle.sqlite);
const s = await buildServices(loadConfig({ DATA_DIR: dataDir, OG_FETCH: 'false' }), handle, { fetchMeta: async () => null });
const user = await s.users.create({ email: `u${n}@example.com`, password: 'correct horse battery', role: 'member' });
const actor = await s.users.actorFor(user);
for (let i = 0; i < n; i++) await s.links.create(actor, { destination: `https://example.com/${i}` });
handle.close();
process.exit(0);
