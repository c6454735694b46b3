/**
 * The dependency rules of ARCHITECTURE.md, checked by reading imports:
 * services stay free of HTTP and storage, only repos touch the schema,
 * dialects never reach past services, web and api never import each other,
 * and Bun's embedding APIs stay in the files that own embedded data.
 */
import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dir, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const SRC = files(join(ROOT, 'src')).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));
const imports = (text: string) => [...text.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm), ...text.matchAll(/^\s*export\s[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
const isCore = (p: string) => /^src\/(links|clicks|qr|accounts|settings)\//.test(p);
// process entries wire things up themselves: main.ts, cli.ts and the click flush worker (its own thread and DB connection)
const isEntry = (p: string) => /^src\/(main|cli)\.ts$/.test(p) || p === 'src/clicks/flush-worker.ts';
const isRepo = (p: string) => /\.repo\.ts$/.test(p) || p.startsWith('src/clicks/reports/');

describe('architecture', () => {
  test('services never import Elysia, http/, api/, web/, views/, bun:sqlite or drizzle', () => {
    const bad = SRC.filter((f) => isCore(f.path) && !isRepo(f.path) && !isEntry(f.path) && !f.path.endsWith('geoip-file.ts')).flatMap((f) =>
      imports(f.text)
        .filter((i) => /^(elysia|bun:sqlite|drizzle-orm)/.test(i) || /\/(http|api|web|redirect)\//.test(i) || i.includes('/views/') || /\/db\//.test(i))
        .map((i) => `${f.path} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  test('only repositories (and db/) import the schema or drizzle operators', () => {
    const bad = SRC.filter((f) => !isRepo(f.path) && !isEntry(f.path) && !f.path.startsWith('src/db/')).flatMap((f) =>
      imports(f.text)
        .filter((i) => /db\/schema/.test(i) || /^drizzle-orm/.test(i))
        .map((i) => `${f.path} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  test('services never read process.env (config.ts parses it once; main/cli pass it in)', () => {
    const bad = SRC.filter((f) => !/^src\/(main|cli)\.ts$/.test(f.path) && f.text.includes('process.env')).map((f) => f.path);
    expect(bad).toEqual([]);
  });

  test('dialects import services, http/ and errors, never a repo, db/ or another dialect', () => {
    // the registry (compat/index.ts) is the one place that imports every dialect
    const bad = SRC.filter((f) => f.path.startsWith('src/api/') && f.path !== 'src/api/compat/index.ts').flatMap((f) => {
      const own = f.path.split('/').slice(0, f.path.startsWith('src/api/compat/') ? 4 : 3).join('/');
      return imports(f.text)
        .filter((i) => {
          if (/\.repo\.ts$/.test(i) || /\/db\//.test(i) || i.includes('/reports/')) return true;
          if (!i.startsWith('.')) return false;
          const target = relative(ROOT, join(ROOT, f.path, '..', i));
          return target.startsWith('src/api/') && !target.startsWith(own) && target !== 'src/api/compat/index.ts';
        })
        .map((i) => `${f.path} imports ${i}`);
    });
    expect(bad).toEqual([]);
  });

  test('web/ and api/ never import each other', () => {
    const bad = SRC.flatMap((f) => {
      const from = f.path.startsWith('src/web/') ? 'web' : f.path.startsWith('src/api/') ? 'api' : null;
      if (!from) return [];
      const other = from === 'web' ? '/api/' : '/web/';
      return imports(f.text).filter((i) => i.includes(other)).map((i) => `${f.path} imports ${i}`);
    });
    expect(bad).toEqual([]);
  });

  test("Bun's file embedding lives only in db/migrate.ts, web/assets.ts and clicks/geoip-file.ts", () => {
    const allowed = new Set(['src/db/migrate.ts', 'src/web/assets.ts', 'src/clicks/geoip-file.ts']);
    const bad = SRC.filter((f) => /with\s*\{\s*type:\s*['"](file|text)['"]/.test(f.text) && !allowed.has(f.path)).map((f) => f.path);
    expect(bad).toEqual([]);
  });

  test('views import only types from src', () => {
    const views = files(join(ROOT, 'views')).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));
    const bad = views.flatMap((f) =>
      [...f.text.matchAll(/^\s*import\s+(type\s+)?[^'"]*['"]([^'"]+)['"]/gm)]
        .filter((m) => m[2]!.includes('/src/') && !m[1])
        .map((m) => `${f.path} imports ${m[2]}`),
    );
    expect(bad).toEqual([]);
  });

  // The click writer commits on its own connection: a deferred transaction that reads before it writes
  // has a stale snapshot once it commits, and SQLite refuses the write at once (SQLITE_BUSY_SNAPSHOT,
  // which busy_timeout does not retry) — a 503 for an edit under click traffic. BEGIN IMMEDIATE waits instead.
  test('every write transaction on the main connection begins IMMEDIATE', () => {
    /** The text of the call that opens at `from` (its arguments, to the matching parenthesis). */
    const callAt = (text: string, from: number) => {
      let depth = 0;
      for (let i = from; i < text.length; i++) {
        if (text[i] === '(') depth++;
        else if (text[i] === ')' && --depth === 0) return text.slice(from, i + 1);
      }
      return text.slice(from);
    };
    const bad = SRC.filter((f) => f.path !== 'src/db/migrate.ts').flatMap((f) =>
      [...f.text.matchAll(/\bdb\.transaction\(/g)]
        // its own options, after the callback's body: the last thing in the call
        .filter((m) => !/\}\s*,\s*\{\s*behavior:\s*'immediate'\s*\}\s*\)$/.test(callAt(f.text, m.index! + m[0].length - 1)))
        .map((m) => `${f.path}:${f.text.slice(0, m.index).split('\n').length} db.transaction without { behavior: 'immediate' }`),
    );
    expect(bad).toEqual([]);
  });

  test('every ErrorCode is rendered by every dialect (type-checked Record, spot-checked here)', async () => {
    const { ERROR_CODES } = await import('../src/errors.ts');
    const { nativeErrors } = await import('../src/api/native/native.errors.ts');
    expect(Object.keys(nativeErrors).sort()).toEqual([...ERROR_CODES].sort());
  });
});
