import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A fake Docker Engine API on a unix socket, speaking the endpoints dockerode calls: `/_ping`,
 * `/images/{name}/json`, `/images/create`, `/containers/create`, `/containers/{id}/start|wait|logs|kill|json`
 * and `DELETE /containers/{id}`. Logs use the engine's multiplexed stream framing (8-byte headers).
 *
 * What a container does is read from its Cmd, so tests script it through the registry:
 * - `["sleep", "<seconds>"]` runs until killed (or the seconds pass), then exits 0;
 * - `["exit", "<code>", ...words]` writes the words to stderr and exits with the code;
 * - anything else writes `Cmd.join(" ")` to stdout and exits 0.
 */
export interface FakeCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

export interface FakeContainer {
  id: string;
  name: string | null;
  config: Record<string, unknown>;
  state: 'created' | 'running' | 'exited';
  exitCode: number | null;
  killed: boolean;
  removed: boolean;
  logs: Array<{ stream: 1 | 2; text: string }>;
}

export interface FakeDocker {
  socketPath: string;
  calls: FakeCall[];
  /** Every container ever created, removed ones included (see `removed`). */
  containers: Map<string, FakeContainer>;
  /** Images present locally; pulls add to it. */
  images: Set<string>;
  close(): Promise<void>;
}

export interface FakeDockerOptions {
  images?: string[];
  /** Whether a pull of this reference succeeds (default: yes). */
  pullable?: (ref: string) => boolean;
  /** A wedged daemon: kill and remove answer but the container keeps running and wait never returns. */
  wedged?: boolean;
}

function normalize(ref: string): string {
  const slash = ref.lastIndexOf('/');
  return ref.slice(slash + 1).includes(':') ? ref : `${ref}:latest`;
}

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export async function startFakeDocker(opts: FakeDockerOptions = {}): Promise<FakeDocker> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-fake-docker-'));
  const socketPath = path.join(dir, 'docker.sock');
  const calls: FakeCall[] = [];
  const containers = new Map<string, FakeContainer>();
  const images = new Set((opts.images ?? []).map(normalize));
  const waiters = new Map<string, Array<() => void>>();
  const timers = new Set<NodeJS.Timeout>();
  let next = 1;

  function exit(c: FakeContainer, code: number): void {
    if (c.state !== 'running') return;
    c.state = 'exited';
    c.exitCode = code;
    for (const wake of waiters.get(c.id) ?? []) wake();
    waiters.delete(c.id);
  }

  function start(c: FakeContainer): void {
    c.state = 'running';
    const cmd = strings(c.config.Cmd);
    if (cmd[0] === 'sleep') {
      const timer = setTimeout(() => exit(c, 0), Number(cmd[1] ?? 3600) * 1000);
      timers.add(timer);
      return;
    }
    if (cmd[0] === 'exit') {
      c.logs.push({ stream: 2, text: `${cmd.slice(2).join(' ')}\n` });
      setImmediate(() => exit(c, Number(cmd[1] ?? 1)));
      return;
    }
    c.logs.push({ stream: 1, text: `${cmd.join(' ')}\n` });
    setImmediate(() => exit(c, 0));
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://docker');
      const p = url.pathname.replace(/^\/v[\d.]+(?=\/)/, '');
      const text = Buffer.concat(chunks).toString();
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      calls.push({ method: req.method ?? '', path: p, query: Object.fromEntries(url.searchParams), body, headers: req.headers });
      route(req.method ?? '', p, url.searchParams, body, res);
    });
  });

  function route(method: string, p: string, q: URLSearchParams, body: unknown, res: http.ServerResponse): void {
    if (method === 'GET' && p === '/_ping') {
      res.writeHead(200, { 'content-type': 'text/plain', 'api-version': '1.47' }).end('OK');
      return;
    }
    const image = /^\/images\/(.+)\/json$/.exec(p);
    if (method === 'GET' && image?.[1]) {
      const ref = normalize(decodeURIComponent(image[1]));
      if (images.has(ref)) json(res, 200, { Id: `sha256:${ref}`, RepoTags: [ref] });
      else json(res, 404, { message: `No such image: ${ref}` });
      return;
    }
    if (method === 'POST' && p === '/images/create') {
      const ref = `${q.get('fromImage') ?? ''}:${q.get('tag') ?? 'latest'}`;
      if (opts.pullable && !opts.pullable(ref)) {
        json(res, 404, { message: `pull access denied for ${q.get('fromImage')}, repository does not exist` });
        return;
      }
      images.add(ref);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ status: `Pulling from ${q.get('fromImage')}`, id: q.get('tag') })}\n`);
      res.end(`${JSON.stringify({ status: `Status: Downloaded newer image for ${ref}` })}\n`);
      return;
    }
    if (method === 'POST' && p === '/containers/create') {
      const config = body !== null && typeof body === 'object' ? { ...body } : {};
      const ref = normalize(typeof Reflect.get(config, 'Image') === 'string' ? String(Reflect.get(config, 'Image')) : '');
      if (!images.has(ref)) {
        json(res, 404, { message: `No such image: ${ref}` });
        return;
      }
      const id = `c${String(next++).padStart(11, '0')}`;
      containers.set(id, { id, name: q.get('name'), config, state: 'created', exitCode: null, killed: false, removed: false, logs: [] });
      json(res, 201, { Id: id, Warnings: [] });
      return;
    }
    const m = /^\/containers\/([^/]+)(?:\/(start|wait|logs|kill|json))?$/.exec(p);
    const c = m?.[1] ? containers.get(m[1]) : undefined;
    if (!m || !c || c.removed) {
      json(res, 404, { message: `No such container: ${m?.[1] ?? p}` });
      return;
    }
    const action = m[2];
    if (method === 'POST' && action === 'start') {
      if (c.state !== 'created') {
        res.writeHead(304).end();
        return;
      }
      start(c);
      res.writeHead(204).end();
      return;
    }
    if (method === 'POST' && action === 'wait') {
      const answer = () => json(res, 200, { StatusCode: c.exitCode ?? 0, Error: null });
      if (c.state === 'exited') answer();
      else waiters.set(c.id, [...(waiters.get(c.id) ?? []), answer]);
      return;
    }
    if (method === 'GET' && action === 'logs') {
      const wanted = c.logs.filter((l) => (l.stream === 1 ? q.get('stdout') : q.get('stderr')) === 'true' || (l.stream === 1 ? q.get('stdout') : q.get('stderr')) === '1');
      res.writeHead(200, { 'content-type': 'application/vnd.docker.multiplexed-stream' });
      res.end(Buffer.concat(wanted.map((l) => frame(l.stream, l.text))));
      return;
    }
    if (method === 'GET' && action === 'json') {
      json(res, 200, {
        Id: c.id,
        State: { Status: c.state, Running: c.state === 'running', ExitCode: c.exitCode ?? 0, OOMKilled: false },
      });
      return;
    }
    if (method === 'POST' && action === 'kill') {
      if (c.state !== 'running') {
        json(res, 409, { message: `Container ${c.id} is not running` });
        return;
      }
      c.killed = true;
      if (!opts.wedged) exit(c, 137);
      res.writeHead(204).end();
      return;
    }
    if (method === 'DELETE' && action === undefined) {
      if (c.state === 'running' && q.get('force') !== 'true') {
        json(res, 409, { message: `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove` });
        return;
      }
      if (c.state === 'running' && !opts.wedged) {
        c.killed = true;
        exit(c, 137);
      }
      c.removed = true;
      res.writeHead(204).end();
      return;
    }
    json(res, 404, { message: `page not found: ${method} ${p}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });

  return {
    socketPath,
    calls,
    containers,
    images,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const c of containers.values()) if (c.state === 'running') exit(c, 137);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
