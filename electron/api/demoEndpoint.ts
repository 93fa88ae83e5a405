import type * as NodeHttp from 'node:http';

/**
 * The port examples/registry.yaml's local_api calls. Neither the console's 7788 (its answers would be 401s
 * that teach nothing) nor `opsdeck api`'s 7789 (README's REST example runs it beside the demo, and its 404s
 * failed every local_api job), nor the next port up, where a second api is most likely put.
 */
export const DEMO_ENDPOINT_PORT = 7799;

/** Said by the demo's endpoint on every answer, so another opsdeck's demo found on the port is known for one. */
const MARK = 'x-opsdeck-demo-endpoint';

/** Where the demo's HTTP jobs go: the endpoint's URL, or what is wrong with the port in words to show loudly. */
export type DemoEndpoint = { url: string; problem: null } | { url: null; problem: string };

let started: Promise<DemoEndpoint> | null = null;

function urlOf(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** What answers on the port: `demo` for another opsdeck's demo endpoint, else what it said, in words. */
function whoAnswers(http: typeof NodeHttp, port: number): Promise<'demo' | string> {
  return new Promise((resolve) => {
    const request = http.request(`${urlOf(port)}/jobs`, { method: 'POST', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.headers[MARK] === '1' ? 'demo' : `it answered HTTP ${res.statusCode ?? '?'}`);
    });
    request.on('timeout', () => request.destroy(new Error('no answer in 2s')));
    request.on('error', (error) => resolve(`it does not answer HTTP (${error.message})`));
    request.end('{}');
  });
}

function takenWords(port: number, answer: string): string {
  return (
    `port ${port} is taken by another program (${answer}): the demo's local_api jobs call it instead of the demo's endpoint, ` +
    `and fail there; stop what listens on ${port} (an opsdeck api started with --port ${port}?), then load the demo again`
  );
}

/**
 * Starts the endpoint the demo's HTTP service calls on `port`: 200 with a small JSON echo. Unref'd, so it
 * never keeps a process alive. When the port is taken, another opsdeck's demo endpoint there serves as
 * well as this one; anything else is a problem to say loudly, for every local_api job would fail.
 */
export async function startDemoEndpoint(port: number): Promise<DemoEndpoint> {
  // node:http is loaded here, by the demo, not by every command that loads the API: importing it
  // builds its module namespace, which loads Node's bundled undici (about a tenth of a CLI start).
  const http = await import('node:http');
  return new Promise<DemoEndpoint>((resolve) => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', [MARK]: '1' });
        res.end(JSON.stringify({ ok: true, path: req.url }));
      });
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') {
        resolve({ url: null, problem: `the demo's endpoint could not listen on 127.0.0.1:${port} (${error.code ?? error.message}): the demo's local_api jobs will fail` });
        return;
      }
      void whoAnswers(http, port).then((answer) => resolve(answer === 'demo' ? { url: urlOf(port), problem: null } : { url: null, problem: takenWords(port, answer) }));
    });
    server.listen(port, '127.0.0.1', () => {
      server.unref();
      resolve({ url: urlOf(port), problem: null });
    });
  });
}

/** The demo's endpoint on DEMO_ENDPOINT_PORT, started once per process however often the demo is loaded. */
export function ensureDemoEndpoint(): Promise<DemoEndpoint> {
  started ??= startDemoEndpoint(DEMO_ENDPOINT_PORT);
  return started;
}
