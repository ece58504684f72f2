/**
 * A strict RFC 4180 reader for assertions on CSV the service writes: quoted cells, doubled quotes,
 * CRLF or LF line ends. Throws on a quote inside an unquoted cell or an unterminated quoted cell, so
 * malformed output fails the test instead of being read leniently.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
    wasQuoted = false;
  };
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') cell += ch;
      else if (text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else quoted = false;
    } else if (ch === '"') {
      if (cell !== '' || wasQuoted) throw new Error(`CSV: stray quote in row ${rows.length + 1}`);
      quoted = wasQuoted = true;
    } else if (ch === ',') endCell();
    else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i += 1;
      endCell();
      rows.push(row);
      row = [];
    } else {
      if (wasQuoted) throw new Error(`CSV: text after a closing quote in row ${rows.length + 1}`);
      cell += ch;
    }
  }
  if (quoted) throw new Error('CSV: unterminated quoted cell');
  if (cell !== '' || wasQuoted || row.length) {
    endCell();
    rows.push(row);
  }
  return rows;
}
