/**
 * The port examples/registry.yaml's local_api calls. Not the console's own 7788: a console answering
 * there would turn the demo's HTTP jobs into 401s that teach nothing.
 */
export const DEMO_ENDPOINT_PORT = 7789;

let started: Promise<string | null> | null = null;

/**
 * Starts, once per process, the endpoint the demo's HTTP service calls: 200 with a small JSON echo.
 * Unref'd, so it never keeps a process alive. Resolves its URL, or null when the port is taken
 * (then local_api jobs go to whatever answers there, and fail and retry when nothing does).
 */
export function ensureDemoEndpoint(): Promise<string | null> {
  // node:http is loaded here, by the demo, not by every command that loads the API: importing it
  // builds its module namespace, which loads Node's bundled undici (about a tenth of a CLI start).
  started ??= import('node:http').then(
    ({ createServer }) =>
      new Promise<string | null>((resolve) => {
        const server = createServer((req, res) => {
          req.resume();
          req.on('end', () => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ ok: true, path: req.url }));
          });
        });
        server.once('error', () => resolve(null));
        server.listen(DEMO_ENDPOINT_PORT, '127.0.0.1', () => {
          server.unref();
          resolve(`http://127.0.0.1:${DEMO_ENDPOINT_PORT}`);
        });
      }),
  );
  return started;
}
