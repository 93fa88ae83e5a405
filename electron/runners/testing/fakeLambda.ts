import http from 'node:http';
import { listenLocal } from './listen.ts';

/**
 * A fake AWS Lambda on 127.0.0.1 speaking the Invoke REST API the SDK calls:
 * `POST /2015-03-31/functions/{name}/invocations`, answering like the service does: the function's
 * result as the body, `X-Amz-Function-Error` for a function error, `x-amzn-ErrorType` for service errors
 * (ResourceNotFoundException 404, TooManyRequestsException 429 with Retry-After).
 *
 * Built-in functions: `echo` (returns its event), `handled-error`, `unhandled-error`, `throttled`,
 * `slow` (never answers). Tests add their own with `functions`.
 */
export interface FakeInvocation {
  functionName: string;
  payload: unknown;
  headers: http.IncomingHttpHeaders;
}

export type FakeFunction = (event: unknown) =>
  | { kind: 'result'; body: unknown }
  | { kind: 'function_error'; type: 'Handled' | 'Unhandled'; errorType: string; errorMessage: string }
  | { kind: 'service_error'; status: number; type: string; message: string; retryAfter?: number }
  | { kind: 'hang' };

export interface FakeLambda {
  /** The endpoint to give the runner (`runner_config.endpoint`). */
  endpoint: string;
  invocations: FakeInvocation[];
  close(): Promise<void>;
}

const BUILT_IN: Record<string, FakeFunction> = {
  echo: (event) => ({ kind: 'result', body: { received: event } }),
  'handled-error': () => ({ kind: 'function_error', type: 'Handled', errorType: 'ValidationError', errorMessage: "invalid payload: missing field 'account_id'" }),
  'unhandled-error': () => ({ kind: 'function_error', type: 'Unhandled', errorType: 'Runtime.ExitError', errorMessage: 'RequestId: 1 Error: Runtime exited with error: signal: killed' }),
  throttled: () => ({ kind: 'service_error', status: 429, type: 'TooManyRequestsException', message: 'Rate Exceeded.', retryAfter: 2 }),
  slow: () => ({ kind: 'hang' }),
};

export async function startFakeLambda(opts: { functions?: Record<string, FakeFunction> } = {}): Promise<FakeLambda> {
  const functions: Record<string, FakeFunction> = { ...BUILT_IN, ...opts.functions };
  const invocations: FakeInvocation[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://lambda');
      const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
      const serviceError = (status: number, type: string, message: string, headers: Record<string, string> = {}) =>
        res
          .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': 'fake', ...headers })
          .end(JSON.stringify({ Type: 'User', message }));
      if (req.method !== 'POST' || !m?.[1]) {
        serviceError(404, 'UnknownOperationException', `no route for ${req.method} ${url.pathname}`);
        return;
      }
      const name = decodeURIComponent(m[1]);
      const text = Buffer.concat(chunks).toString();
      let event: unknown = null;
      try {
        event = text ? JSON.parse(text) : null;
      } catch {
        event = text;
      }
      invocations.push({ functionName: name, payload: event, headers: req.headers });
      const fn = functions[name];
      if (!fn) {
        serviceError(404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${name}`);
        return;
      }
      const outcome = fn(event);
      const ok = { 'content-type': 'application/json', 'x-amzn-requestid': 'fake', 'x-amz-executed-version': '$LATEST' };
      switch (outcome.kind) {
        case 'result':
          res.writeHead(200, ok).end(JSON.stringify(outcome.body));
          return;
        case 'function_error':
          res
            .writeHead(200, { ...ok, 'x-amz-function-error': outcome.type })
            .end(JSON.stringify({ errorType: outcome.errorType, errorMessage: outcome.errorMessage }));
          return;
        case 'service_error':
          serviceError(outcome.status, outcome.type, outcome.message, outcome.retryAfter !== undefined ? { 'retry-after': String(outcome.retryAfter) } : {});
          return;
        case 'hang':
          return;
      }
    });
  });
  const port = await listenLocal(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    invocations,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
