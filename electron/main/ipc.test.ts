import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiResponse } from '../../shared/contract.ts';
import { isRendererUrl, RENDERER_URL } from './appUrl.ts';
import { registerIpc } from './ipc.ts';
import { fakeIpcMain } from './testing/fakeIpcMain.ts';

describe('the IPC entry point', () => {
  function setup(dispatch: (name: string, input: unknown) => Promise<ApiResponse>) {
    const fake = fakeIpcMain();
    const listeners = new Set<(event: string, payload: unknown) => void>();
    const sent: unknown[] = [];
    const logged: string[] = [];
    const dispose = registerIpc(fake.ipc, {
      dispatch,
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      isTrustedSender: isRendererUrl,
      send: (m) => sent.push(m),
      log: (line) => logged.push(line),
    });
    return { fake, listeners, sent, logged, dispose };
  }

  it('answers a trusted frame through dispatch, as JSON', async () => {
    const seen: unknown[] = [];
    const { fake } = setup(async (name, input) => {
      seen.push([name, input]);
      return { ok: true, result: { at: new Date('2026-01-02T03:04:05.000Z'), n: 1 } };
    });
    const response = await fake.invoke(`${RENDERER_URL}#/jobs`, 'control.get', {});
    assert.deepEqual(response, { ok: true, result: { at: '2026-01-02T03:04:05.000Z', n: 1 } });
    assert.deepEqual(seen, [['control.get', {}]]);
  });

  it('refuses untrusted frames without calling dispatch', async () => {
    let called = 0;
    const { fake, logged } = setup(async () => {
      called += 1;
      return { ok: true, result: null };
    });
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'opsdeck://app/other.html', '', null]) {
      const response = await fake.invoke(url, 'control.emergencyStop', {});
      assert.deepEqual(response, { ok: false, error: { code: 'forbidden', message: 'calls are accepted only from the opsdeck console' } });
    }
    assert.equal(called, 0);
    assert.equal(logged.length, 5);
  });

  it('refuses names that are not contract calls', async () => {
    let called = 0;
    const { fake } = setup(async () => {
      called += 1;
      return { ok: true, result: null };
    });
    for (const name of ['nope', '__proto__', 'constructor', 42, null, { toString: () => 'control.get' }]) {
      const response = ApiResponse.parse(await fake.invoke(RENDERER_URL, name, {}));
      assert.equal(response.ok, false);
      if (!response.ok) assert.equal(response.error.code, 'not_found');
    }
    assert.equal(called, 0);
  });

  it('turns a throwing dispatcher into an internal error', async () => {
    const { fake } = setup(async () => {
      throw new Error('secret detail at /home/x');
    });
    const response = ApiResponse.parse(await fake.invoke(RENDERER_URL, 'control.get', {}));
    assert.equal(response.ok, false);
    if (!response.ok) {
      assert.equal(response.error.code, 'internal');
      assert.doesNotMatch(response.error.message, /secret/);
    }
  });

  it('pushes events and stops on dispose', async () => {
    const { fake, listeners, sent, dispose } = setup(async () => ({ ok: true, result: null }));
    for (const l of listeners) l('control.changed', { version: 3, at: new Date(0) });
    assert.deepEqual(sent, [{ event: 'control.changed', payload: { version: 3, at: '1970-01-01T00:00:00.000Z' } }]);
    dispose();
    assert.equal(listeners.size, 0);
    assert.equal(fake.handlers.size, 0);
  });
});
