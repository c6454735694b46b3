/**
 * CSV in and out of the links screen. Reading follows RFC 4180 (quoted
 * fields, doubled quotes, newlines inside quotes) and accepts what
 * spreadsheets really write: a BOM, CRLF or LF, and ; or tab separators.
 * Writing neutralises formula injection: a cell a spreadsheet would
 * evaluate (= + - @, tab, CR first) is prefixed with an apostrophe, so a
 * hostile page title cannot become a formula in whoever opens the export.
 */

/**
 * Rows of cells; rows whose cells are all blank are dropped. The separator is
 * guessed from the first line unless given; `null` splits lines only (one
 * cell a line, quotes still honoured).
 */
export function parseCsv(text: string, separator?: string | null): string[][] {
  return parseCsvRows(text, separator).map((r) => r.cells);
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const NOT_BLANK = /\S/;

/**
 * parseCsv, with the line each row starts on: what a user looks for in the file when a row is refused.
 * A cell's text is added a run of characters at a time, never one by one: built a character at a
 * time, a 200 KB cell of blanks and quotes held the thread for much of the 34-73 ms its import took.
 */
function parseCsvRows(text: string, separator?: string | null): { line: number; cells: string[] }[] {
  const src = text.replace(/^\uFEFF/, '');
  const firstLine = src.slice(0, src.search(/\r|\n/) === -1 ? src.length : src.search(/\r|\n/));
  const sep = separator !== undefined ? separator : firstLine.includes(',') ? ',' : firstLine.includes(';') ? ';' : firstLine.includes('\t') ? '\t' : ',';
  const sepCode = sep === null ? -1 : sep.charCodeAt(0);
  const n = src.length;
  const rows: { line: number; cells: string[] }[] = [];
  let row: string[] = [];
  let cell = '';
  // whether cell is all whitespace so far (a quote then opens a quoted field)
  let blank = true;
  const add = (part: string) => {
    cell += part;
    if (blank && NOT_BLANK.test(part)) blank = false;
  };
  let line = 1;
  let rowLine = 1;
  const endCell = () => {
    row.push(cell);
    cell = '';
    blank = true;
  };
  const endRow = () => {
    endCell();
    if (row.some((c) => c.trim() !== '')) rows.push({ line: rowLine, cells: row });
    row = [];
  };
  /** Adds a quoted field's text from `from` (after its opening quote); returns where its closing quote is (n: none). */
  const readQuoted = (from: number): number => {
    for (let j = from; ; ) {
      const q = src.indexOf('"', j);
      const end = q === -1 ? n : q;
      // a quoted newline (CRLF counted once) is a line of the file inside one row
      for (let k = j; k < end; k++) {
        const c = src.charCodeAt(k);
        if (c === LF || (c === CR && src.charCodeAt(k + 1) !== LF)) line++;
      }
      add(src.slice(j, end));
      if (q === -1) return n;
      if (src.charCodeAt(q + 1) !== QUOTE) return q;
      add('"');
      j = q + 2;
    }
  };
  // characters are added to the cell a run at a time, from `run` up to the next quote, separator or line end
  let run = 0;
  for (let i = 0; i < n; i++) {
    const ch = src.charCodeAt(i);
    if (ch === QUOTE) {
      if (!blank) continue; // a quote inside a cell's text is a character of it
      add(src.slice(run, i));
      if (!blank) {
        run = i; // the run had text: the quote is a character too
        continue;
      }
      cell = ''; // a quoted field: whitespace before its opening quote is not part of it
      i = readQuoted(i + 1);
      run = i + 1;
    } else if (ch === sepCode) {
      add(src.slice(run, i));
      endCell();
      run = i + 1;
    } else if (ch === CR || ch === LF) {
      add(src.slice(run, i));
      if (ch === CR && src.charCodeAt(i + 1) === LF) i++;
      endRow();
      rowLine = ++line;
      run = i + 1;
    }
  }
  if (run < n) add(src.slice(run));
  if (cell !== '' || row.length) endRow();
  return rows;
}

const NAMES = {
  url: ['url', 'destination', 'long_url', 'long url', 'link', 'original_url'],
  alias: ['alias', 'code', 'short_code', 'slug', 'custom_alias'],
  title: ['title', 'name'],
};

export interface ImportRow {
  /** the line of the file the row starts on (blank lines and a header row counted) */
  row: number;
  url: string;
  alias: string;
  title: string;
}

/**
 * The rows to import: a CSV whose header row names url/alias/title columns
 * (any order), or, without a header, one URL per line. A header-less line is
 * never split: URLs carry commas and semicolons (map coordinates, image
 * transforms, ;jsessionid=), and cutting one at a guessed separator would
 * create a link to another address.
 */
export function importRows(text: string): ImportRow[] {
  const guessed = parseCsvRows(text);
  const head = guessed[0]?.cells.map((c) => c.trim().toLowerCase()) ?? [];
  const hasHeader = head.some((h) => Object.values(NAMES).some((names) => names.includes(h)));
  // no header, or a lone url column: no separator to go by, so lines are URLs, never split at a comma
  const rows = hasHeader && head.length > 1 ? guessed : parseCsvRows(text, null);
  if (!hasHeader) return rows.map((r) => ({ row: r.line, url: r.cells[0]!.trim(), alias: '', title: '' }));
  const find = (names: string[]) => head.findIndex((h) => names.includes(h));
  const col = { url: Math.max(0, find(NAMES.url)), alias: find(NAMES.alias), title: find(NAMES.title) };
  const at = (r: string[], i: number) => (i >= 0 ? (r[i] ?? '').trim() : '');
  return rows.slice(1).map((r) => ({ row: r.line, url: at(r.cells, col.url), alias: at(r.cells, col.alias), title: at(r.cells, col.title) }));
}

const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: (string | number | null | undefined)[]) => cells.map(csvCell).join(',');
