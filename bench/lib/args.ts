import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** A whole-number command-line option, refused clearly when it is not one. */
export function whole(name: string, raw: string, min = 1): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
}

/** The options every benchmark takes: a prebuilt --binary, --json on stdout, --keep the work folder. */
export const COMMON_OPTIONS = {
  binary: { type: 'string' },
  json: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
} as const;

/**
 * A benchmark's command line: its own options plus COMMON_OPTIONS, parsed
 * strictly (an unknown flag is an error); argv is kept for the JSON report.
 */
export function benchArgs<const O extends ParseArgsOptionsConfig>(options: O) {
  const argv = Bun.argv.slice(2);
  const { values } = parseArgs({ args: argv, options: { ...options, ...COMMON_OPTIONS } });
  return { argv, values };
}
