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
  return parseCsvRows(text, separator).rows.map((r) => r.cells);
}

/** A file the import cannot read as its author meant: refused whole, saying why (422), rather than read otherwise. */
export class CsvFileError extends Error {}

/** The separator of a first line, judged outside its quoted cells (a header "a,b";"c" is separated by ;). */
function guessSeparator(firstLine: string): string {
  const bare = firstLine.replace(/"[^"]*"/g, '');
  return bare.includes(',') ? ',' : bare.includes(';') ? ';' : bare.includes('\t') ? '\t' : ',';
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
function parseCsvRows(text: string, separator?: string | null): { rows: { line: number; cells: string[] }[]; unclosedAt: number | null } {
  let src = text.replace(/^\uFEFF/, '');
  const lineEnd = (from: number) => {
    const at = src.slice(from).search(/\r|\n/);
    return at === -1 ? src.length : from + at;
  };
  // Excel's "sep=;" first line names the separator and is not a row
  const declared = /^sep=(.)[ \t]*$/i.exec(src.slice(0, lineEnd(0)));
  let line = 1;
  if (declared) {
    const end = lineEnd(0);
    src = src.slice(end + (src.startsWith('\r\n', end) ? 2 : 1));
    line = 2;
  }
  const sep = separator !== undefined ? separator : declared ? declared[1]! : guessSeparator(src.slice(0, lineEnd(0)));
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
  let rowLine = line;
  let unclosedAt: number | null = null;
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
    const opened = line;
    for (let j = from; ; ) {
      const q = src.indexOf('"', j);
      const end = q === -1 ? n : q;
      // a quoted newline (CRLF counted once) is a line of the file inside one row
      for (let k = j; k < end; k++) {
        const c = src.charCodeAt(k);
        if (c === LF || (c === CR && src.charCodeAt(k + 1) !== LF)) line++;
      }
      add(src.slice(j, end));
      if (q === -1) {
        unclosedAt = opened;
        return n;
      }
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
  return { rows, unclosedAt };
}

/** Column names as people and other shorteners' exports write them (Shlink longUrl/shortCode, Kutt target/address, YOURLS keyword, Bitly long_url), compared without case, spaces, _ or -. In order of preference. */
const NAMES = {
  url: ['url', 'destination', 'destinationurl', 'longurl', 'originalurl', 'target', 'targeturl', 'link'],
  alias: ['alias', 'code', 'shortcode', 'slug', 'customalias', 'keyword', 'address', 'backhalf'],
  title: ['title', 'name'],
  expires: ['expiresat', 'expires', 'expiry', 'validuntil'],
  status: ['status'],
};
const normalName = (h: string) => h.trim().toLowerCase().replace(/[\s_-]+/g, '');
const LOOKS_LIKE_URL = /^[a-z][a-z0-9+.-]*:\/\/\S/i;

export interface ImportRow {
  /** the line of the file the row starts on (blank lines and a header row counted) */
  row: number;
  url: string;
  alias: string;
  title: string;
  /** as written (an export writes ISO 8601); '' when the file has none */
  expiresAt: string;
  /** as written; 'paused' creates the link paused */
  status: string;
}

/**
 * A cell as written before the export made it safe for spreadsheets: the
 * apostrophe csvCell puts before a would-be formula is taken off again, so an
 * export imports as it was (a title "=x" stays "=x", an alias "-x" stays "-x").
 */
const unguarded = (cell: string) => (/^'+[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

/**
 * The rows to import: a CSV whose header row names url/alias/title columns
 * (any order; expires_at and status too, as the export writes them), or, without a header,
 * one URL per line. A header-less line is never split: URLs carry commas and
 * semicolons (map coordinates, image transforms, ;jsessionid=), and cutting
 * one at a guessed separator would create a link to another address.
 * @throws CsvFileError when the file cannot be read as meant: a quote never
 * closed (the rest of the file would be one cell), or a header with no URL
 * column (its first column was taken for the URLs)
 */
export function importRows(text: string): ImportRow[] {
  const guessed = parseCsvRows(text);
  if (guessed.unclosedAt !== null) {
    throw new CsvFileError(`Line ${guessed.unclosedAt}: a quote opened there is never closed, so the rest of the file would be read as one cell. Close it (a quote inside a quoted cell is written twice: ""), then import again. Nothing was imported.`);
  }
  const first = guessed.rows[0];
  const head = first?.cells.map(normalName) ?? [];
  const find = (names: string[]) => {
    for (const name of names) {
      const i = head.indexOf(name);
      if (i >= 0) return i;
    }
    return -1;
  };
  const named = head.some((h) => Object.values(NAMES).some((names) => names.includes(h)));
  // a first line of several cells, none of them a URL, is a header whatever its names
  const hasHeader = named || (first !== undefined && first.cells.length > 1 && !first.cells.some((c) => LOOKS_LIKE_URL.test(c.trim())));
  const at = (r: string[], i: number) => (i >= 0 ? unguarded((r[i] ?? '').trim()) : '');
  if (!hasHeader) {
    return parseCsvRows(text, null).rows.map((r) => ({ row: r.line, url: r.cells[0]!.trim(), alias: '', title: '', expiresAt: '', status: '' }));
  }
  const col = { url: find(NAMES.url), alias: find(NAMES.alias), title: find(NAMES.title), expires: find(NAMES.expires), status: find(NAMES.status) };
  if (col.url < 0) {
    const shown = (first?.cells ?? []).map((c) => c.trim()).filter(Boolean).slice(0, 8).join(', ');
    throw new CsvFileError(`The header row (${shown}) names no column of URLs: call it url (or destination, long_url, original_url, target). Nothing was imported.`);
  }
  // a lone url column: no separator to go by, so lines are URLs, never split at a comma
  const rows = head.length > 1 ? guessed.rows : parseCsvRows(text, null).rows;
  return rows.slice(1).map((r) => ({
    row: r.line,
    url: at(r.cells, col.url),
    alias: at(r.cells, col.alias),
    title: at(r.cells, col.title),
    expiresAt: at(r.cells, col.expires),
    status: at(r.cells, col.status).toLowerCase(),
  }));
}

// apostrophes already before a formula character are guarded too, so that the import's unguarded() gives back exactly what was written
const FORMULA = /^'*[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: (string | number | null | undefined)[]) => cells.map(csvCell).join(',');
