#!/usr/bin/env node
// The HTTP ceiling for bench/wrk-reads.mjs: plain node:http doing what incognito's POST / does around
// an operation, without the operation: read the body, JSON.parse it, answer an AdminGetUser-shaped
// JSON reply with the same headers (CORS, content type, a request id). No database, no validation.
// With --defer, each reply is made a turn of the event loop later (setImmediate), as incognito's do
// once their database reads have run together at the end of the turn (src/store/prepared.ts): the
// replies of one turn are then written one after the other, which is faster on its own.
// Prints {"url": ...} on stdout once listening.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date',
};

const defer = process.argv.includes('--defer');

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => (defer ? setImmediate(reply, req, res, chunks) : reply(req, res, chunks)));
});

function reply(_req, res, chunks) {
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const body = JSON.stringify({
    Username: input.Username ?? 'user',
    UserAttributes: [
      { Name: 'sub', Value: randomUUID() },
      { Name: 'email', Value: `${input.Username}@example.com` },
      { Name: 'email_verified', Value: 'true' },
    ],
    UserCreateDate: Date.now() / 1000,
    UserLastModifiedDate: Date.now() / 1000,
    Enabled: true,
    UserStatus: 'CONFIRMED',
  });
  res.writeHead(200, {
    ...CORS,
    'Content-Type': 'application/x-amz-json-1.1',
    'x-amzn-RequestId': randomUUID(),
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(0));
