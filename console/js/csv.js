// Supplier files read as RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks (a
// multi-line card is one field, never several keys). One column is the code; every other column (a PIN,
// a serial, an expiry) is a secret part of the row's key, named by its header, and never sent as a code.
// As the API reads a code cell (faka.catalog.codes.split_card): a multi-line card's first line is its code and
// each further line an unnamed part; "账号----密码" is the code, then the password.

// Header names that mark the first row as a header; these name the code column, as in the API's own CSV import
// (faka.catalog.codes.CODE_COLUMNS): code, key, then the names Chinese suppliers use.
const CODE_HEADERS = ["code", "key", "cdkey", "卡密", "激活码", "兑换码"];
const OTHER_HEADERS = ["pin", "serial", "sn", "expiry", "expires", "expiry_date", "password", "account", "sku", "value", "卡号", "密码", "账号", "有效期"];
// The same limits as faka.catalog.codes.normalize_code: visible characters, single spaces, 256 at most.
const MAX_CODE_LENGTH = 256;
const FIELD_SEPARATOR = "----";
const VALID_CODE = /^[\x21-\x7e\u00a0-\uffff]+(?: [\x21-\x7e\u00a0-\uffff]+)*$/;

export class CsvError extends Error {
  constructor(line) {
    super(`line ${line}: a quoted field is not closed`);
    this.name = "CsvError";
    this.line = line;
  }
}

// Comma-separated unless the first line has tabs and no comma (a spreadsheet's "tab-delimited" export).
function delimiterOf(text) {
  const first = text.slice(0, text.search(/\r|\n|$/));
  return first.includes("\t") && !first.includes(",") ? "\t" : ",";
}

// Records with the file line each starts on; blank lines are skipped. A BOM and CR, LF or CRLF ends are fine.
export function parseCsv(source) {
  const text = source.replace(/^\ufeff/, "");
  const delimiter = delimiterOf(text);
  const records = [];
  let cells = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  const endRecord = () => {
    cells.push(field);
    if (cells.length > 1 || cells[0].trim() !== "") records.push({ line: recordLine, cells });
    cells = [];
    field = "";
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === "\n" || (char === "\r" && text[i + 1] !== "\n")) line += 1;
        field += char;
      }
    } else if (char === '"' && field.trim() === "") {
      quoted = true;
      quoteLine = line;
      field = "";
    } else if (char === delimiter) {
      cells.push(field);
      field = "";
    } else if (char === "\r" || char === "\n") {
      if (char === "\r" && text[i + 1] === "\n") i += 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else {
      field += char;
    }
  }
  if (quoted) throw new CsvError(quoteLine);
  if (field !== "" || cells.length) endRecord();
  return records;
}

function headerName(cell) {
  return cell.trim().toLowerCase();
}

// Suppliers and buyers mix cases, spaces and dashes; codes that differ only so are the same key
// (faka.domain.codes.identity_of).
function identity(code) {
  return code.replace(/[\s-]/g, "").toUpperCase();
}

function problem(code) {
  if (!code) return "empty";
  if (code.length > MAX_CODE_LENGTH) return "too_long";
  return VALID_CODE.test(code) ? null : "invalid";
}

// A code cell as its code and unnamed parts: a multi-line card's further lines, the password of "账号----密码".
function splitCard(cell) {
  const lines = cell.split(/\r\n|\r|\n/).map((line) => line.trim()).filter((line) => line);
  const [first = "", ...rest] = lines;
  const [code, ...fields] = first.split(FIELD_SEPARATOR);
  return { code: code.trim(), parts: [...fields, ...rest].map((value) => ({ name: "", value: value.trim() })) };
}

// What an import of this text would send: {codes: [{code, line, parts: [{name, value}]}], header, codeColumn,
// extraColumns (the columns stored as parts), withParts (how many keys have parts), duplicates: [{line, first}],
// rejected: [{line, reason}], rows}.
export function planImport(text) {
  const records = parseCsv(text);
  const names = records.length ? records[0].cells.map(headerName) : [];
  const header = names.some((name) => CODE_HEADERS.includes(name) || OTHER_HEADERS.includes(name));
  const named = CODE_HEADERS.map((name) => names.indexOf(name)).find((index) => index >= 0);
  const codeColumn = header && named !== undefined ? named : 0;
  const rows = header ? records.slice(1) : records;
  // A reduce, not Math.max(...rows): a spread of 100,000 rows overflows the call stack.
  const width = rows.reduce((widest, row) => Math.max(widest, row.cells.length), names.length);
  const extraColumns = [];
  for (let column = 0; column < width; column += 1) {
    if (column === codeColumn) continue;
    if (rows.some((row) => (row.cells[column] ?? "").trim() !== "")) {
      extraColumns.push(header && names[column] ? records[0].cells[column].trim() : `#${column + 1}`);
    }
  }
  const codes = [];
  const duplicates = [];
  const rejected = [];
  const firstLine = new Map();
  const partName = (column) => (header ? (records[0].cells[column] ?? "").trim() : "");
  let withParts = 0;
  for (const row of rows) {
    const { code, parts } = splitCard(row.cells[codeColumn] ?? "");
    row.cells.forEach((cell, column) => {
      if (column !== codeColumn && cell.trim() !== "") parts.push({ name: partName(column), value: cell.trim() });
    });
    const reason = problem(code);
    if (reason) {
      rejected.push({ line: row.line, reason });
      continue;
    }
    const seen = firstLine.get(identity(code));
    if (seen !== undefined) {
      duplicates.push({ line: row.line, first: seen });
      continue;
    }
    firstLine.set(identity(code), row.line);
    if (parts.length) withParts += 1;
    codes.push({ code, line: row.line, parts });
  }
  return { codes, header: header ? records[0].cells.map((cell) => cell.trim()) : null, codeColumn, extraColumns, withParts, duplicates, rejected, rows: rows.length };
}
