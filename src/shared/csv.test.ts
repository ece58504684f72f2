import { spreadsheetSafe, toCsv } from './csv';

describe('spreadsheetSafe', () => {
  it.each(['=HYPERLINK("https://evil.example","x")', '+441134960000', '-2+3', '@SUM(A1)', '\t=1', '\r=1', ' =1+1', '\u00a0\u00a0@cmd', '\uff1dSUM(A1)', '\u3000\uff0b1'])(
    'when a cell would start a formula (%j), then it is prefixed with an apostrophe',
    (cell) => {
      expect(spreadsheetSafe(cell)).toBe(`'${cell}`);
    },
  );

  it.each(['google', 'a=b', 'Boilers - winter', '42', "'quoted", ' plain'])('when a cell is plain text (%j), then it is kept as it is', (cell) => {
    expect(spreadsheetSafe(cell)).toBe(cell);
  });

  it('when cells are null, dates or objects, then they become empty, ISO 8601 and JSON', () => {
    expect([spreadsheetSafe(null), spreadsheetSafe(new Date('2026-11-30T10:00:00Z')), spreadsheetSafe({ a: 1 })]).toEqual(['', '2026-11-30T10:00:00.000Z', '{"a":1}']);
  });

  it('when rows are written, then every cell is neutralised and quoted as RFC 4180 asks', () => {
    expect(toCsv(['source', 'campaign'], [['google', '=1+1'], ['bing', 'a,"b"']])).toBe(`source,campaign\ngoogle,'=1+1\nbing,"a,""b"""\n`);
  });
});
