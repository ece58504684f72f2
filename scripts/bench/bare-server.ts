/**
 * The yardstick for `npm run bench`: a bare Express route doing the least a JSON API can do (parse a
 * small JSON body, answer a constant). It runs in its own process, as the service does, so each gets
 * one event loop and the ratio compares the service's work per request with Express's own floor.
 *
 *   node dist/scripts/bench/bare-server.js <port>
 */
import express from 'express';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: bare-server <port>');
  process.exit(1);
}

const app = express();
app.disable('x-powered-by');
app.post('/bare', express.json(), (_req, res) => {
  res.json({ ok: true });
});
const server = app.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
