/**
 * How every benchmark reports: human lines as it goes, one PASS/FAIL line per
 * target at the end, and with --json one JSON document on stdout (the human
 * lines then go to stderr, so `bun run bench:x --json > x.json` just works).
 * The exit code is 0 only when every target passed.
 */
import { loadAverage, machineNotes } from './proc.ts';

export interface Check {
  name: string;
  target: string;
  value: string;
  pass: boolean;
}

export function createReport(benchmark: string, opts: { json: boolean; argv: string[] }) {
  const checks: Check[] = [];
  const figures: Record<string, unknown> = {};
  const loadStart = loadAverage();
  const started = new Date().toISOString();
  const write = opts.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => process.stdout.write(`${s}\n`);

  return {
    log: write,
    /** Keeps a figure for the JSON document (the caller prints its own table). */
    set(key: string, value: unknown) {
      figures[key] = value;
    },
    check(name: string, pass: boolean, target: string, value: string) {
      checks.push({ name, target, value, pass });
    },
    /** Prints the verdicts (and the JSON document); returns the exit code. */
    finish(): number {
      const loadEnd = loadAverage();
      write('');
      for (const c of checks) write(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.value} (target ${c.target})`);
      write(`load average at start ${loadStart}, at end ${loadEnd}`);
      if (opts.json) {
        const doc = {
          benchmark,
          command: `bun bench/${benchmark}.ts ${opts.argv.join(' ')}`.trim(),
          started,
          machine: { ...machineNotes(), loadAverageStart: loadStart, loadAverageEnd: loadEnd },
          figures,
          checks,
          pass: checks.every((c) => c.pass),
        };
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      }
      return checks.every((c) => c.pass) ? 0 : 1;
    },
  };
}
export type Report = ReturnType<typeof createReport>;

export const median = (xs: number[]): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** p-th percentile (nearest rank) of unsorted samples. */
export const percentile = (xs: ArrayLike<number>, p: number): number => {
  const s = Float64Array.from(xs as ArrayLike<number>).sort();
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

export const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** A left-aligned first column and right-aligned others. */
export function table(header: string[], rows: (string | number)[][], widths?: number[]): string {
  const all = [header, ...rows.map((r) => r.map(String))];
  const w = widths ?? header.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)) + 2);
  return all.map((r) => r.map((cell, i) => (i === 0 ? String(cell).padEnd(w[i]!) : String(cell).padStart(w[i]!))).join('')).join('\n');
}

/** Runs a benchmark's main(): its return value is the exit code; a throw prints the stack and exits 1. */
export async function runBench(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (e) {
    console.error(`bench failed: ${(e as Error).stack ?? e}`);
    process.exitCode = 1;
  }
}
