import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { startDemoEndpoint } from './demoEndpoint.ts';

async function listening(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return z.custom<AddressInfo>((a) => typeof a === 'object' && a !== null).parse(server.address()).port;
}

describe("the demo's endpoint", () => {
  it('says loudly when another program holds its port, naming what answered there and what to do', async () => {
    const other = createServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const port = await listening(other);
    try {
      const endpoint = await startDemoEndpoint(port);
      assert.equal(endpoint.url, null);
      assert.equal(
        endpoint.problem,
        `port ${port} is taken by another program (it answered HTTP 404): the demo's local_api jobs call it instead of the demo's endpoint, and fail there; stop what listens on ${port} (an opsdeck api started with --port ${port}?), then load the demo again`,
      );
    } finally {
      other.close();
    }
  });

  it("takes another opsdeck's demo endpoint on its port as its own: it answers the jobs as well", async () => {
    const probe = createServer();
    const port = await listening(probe);
    probe.close();
    await once(probe, 'close');
    const first = await startDemoEndpoint(port);
    assert.deepEqual(first, { url: `http://127.0.0.1:${port}`, problem: null });
    assert.deepEqual(await startDemoEndpoint(port), first);
    const answer = await fetch(`${first.url ?? ''}/jobs`, { method: 'POST', body: '{"demo":1}' });
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { ok: true, path: '/jobs' });
  });
});
