import { once } from 'node:events';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import { spreadsheetSafe } from '../shared/csv';
import { getLogger } from '../shared/logging/logger';
import { localTime } from './domain/report';
import type { CallExportStore, ExportedCall, ExportQuery } from './call-export-store';

const log = getLogger('calls-csv');

/** The CSV export's columns, in order, and how each reads off a call. */
const CSV_COLUMNS: [string, (c: ExportedCall, zone: string) => unknown][] = [
  ['id', (c) => c.id],
  ['site_id', (c) => c.siteId],
  ['started_at', (c) => c.startedAt.toISOString()],
  ['started_at_local', (c, zone) => localTime(c.startedAt, zone)],
  ['answered_at', (c) => c.answeredAt?.toISOString()],
  ['ended_at', (c) => c.endedAt?.toISOString()],
  ['from', (c) => c.from],
  ['tracking_number', (c) => c.to],
  ['forwarded_to', (c) => c.forwardedTo],
  ['status', (c) => c.status],
  ['answered', (c) => c.answered],
  ['dial_status', (c) => c.dialStatus],
  ['talk_seconds', (c) => c.talkSeconds],
  ['duration_seconds', (c) => c.durationSeconds],
  ['source', (c) => c.source],
  ['medium', (c) => c.medium],
  ['campaign', (c) => c.campaign],
  ['keyword', (c) => c.keyword],
  ['content', (c) => c.content],
  ['landing_page', (c) => c.landingPage],
  ['attribution', (c) => c.attribution],
  ['repeat_caller', (c) => c.repeatCaller],
  ['from_city', (c) => c.fromCity],
  ['from_country', (c) => c.fromCountry],
];
/** Rows per keyset page of the export: only one page is ever held in memory. */
const CSV_PAGE = 1000;

/**
 * Streams every call matching `q` as CSV, a keyset page at a time, waiting for the client to take each
 * chunk (backpressure). The first page is read before anything is sent, so a database that does not
 * answer is still a 503 problem; a failure later can only cut the download short (the response is
 * destroyed, so the client sees an incomplete transfer rather than a file that looks whole).
 */
export async function streamCsv(res: Response, exports: CallExportStore, q: Omit<ExportQuery, 'limit' | 'after'>, zone: string): Promise<void> {
  let page = await exports.page({ ...q, limit: CSV_PAGE });
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', 'attachment; filename="calls.csv"');
  res.setHeader('Cache-Control', 'no-store');
  const csv = stringify();
  csv.pipe(res);
  // A client that hangs up stops reading: wait for the buffer to drain or the connection to close, never longer.
  const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
  const write = async (cells: unknown[]) => {
    if (!csv.write(cells.map(spreadsheetSafe))) await Promise.race([once(csv, 'drain'), gone]);
  };
  try {
    await write(CSV_COLUMNS.map(([name]) => name));
    for (;;) {
      for (const call of page) {
        if (res.destroyed) break;
        await write(CSV_COLUMNS.map(([, cell]) => cell(call, zone)));
      }
      if (page.length < CSV_PAGE || res.destroyed) break;
      const last = page[page.length - 1];
      page = await exports.page({ ...q, limit: CSV_PAGE, after: { startedAt: last.startedAt, id: last.id } });
    }
    csv.end();
  } catch (err) {
    log.error('calls CSV export cut short', { error: err });
    csv.unpipe(res);
    res.destroy(err as Error);
  }
}
