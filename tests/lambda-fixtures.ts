/**
 * A stand-in of the Lambda Invoke API for the trigger suites: `POST
 * /2015-03-31/functions/{FunctionName}/invocations`, as @aws-sdk/client-lambda calls it. Tests put
 * functions in `functions` by name (the ARN's function name); each returns the reply payload, or
 * `functionError(payload)` for a function that failed (X-Amz-Function-Error: Unhandled). Every call is
 * recorded with its path, the ARN, the event and the invocation type (RequestResponse or Event: an Event
 * call is answered 202 with no body, as Lambda answers an asynchronous invocation).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const FAILED = Symbol('function error');

/** The reply of a function that failed: Lambda's error payload with X-Amz-Function-Error. */
export function functionError(payload: unknown): unknown {
  return { [FAILED]: true, payload };
}

export interface StandInCall {
  path: string;
  fn: string;
  event: any;
  type: string | undefined;
}

export async function lambdaStandIn() {
  const calls: StandInCall[] = [];
  const functions: Record<string, (event: any) => unknown> = {};
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
      const fnArn = m ? decodeURIComponent(m[1]!) : '';
      const f = functions[fnArn.split(':')[6] ?? ''];
      if (req.method !== 'POST' || !f) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' }).end(JSON.stringify({ Type: 'User', message: `Function not found: ${fnArn}` }));
        return;
      }
      const event = JSON.parse(body);
      const type = req.headers['x-amz-invocation-type'] as string | undefined;
      calls.push({ path: req.url!, fn: fnArn, event: JSON.parse(body), type });
      const out = f(event) as { [FAILED]?: boolean; payload?: unknown };
      if (type === 'Event') {
        res.writeHead(202).end();
        return;
      }
      const failed = out !== null && typeof out === 'object' && out[FAILED] === true;
      res.writeHead(200, { 'content-type': 'application/json', ...(failed ? { 'x-amz-function-error': 'Unhandled' } : {}) }).end(JSON.stringify(failed ? out.payload : out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, functions, close: () => new Promise<void>((r) => server.close(() => r())) };
}
