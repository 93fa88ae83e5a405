import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpsdeckBridge } from '../../../shared/contract.ts';
import { createBridgeClient, isPreloadBridge } from './bridgeClient.ts';
import { HostUnreachableError } from './hostUnreachable.ts';
import { controlState } from './testing/fixtures.ts';

test('only an object with call and on functions passes for the preload bridge', () => {
  assert.equal(isPreloadBridge({ call() {}, on() {} }), true);
  assert.equal(isPreloadBridge({ call: 'x', on() {} }), false);
  assert.equal(isPreloadBridge(null), false);
  assert.equal(isPreloadBridge(undefined), false);
});

function bridge(call: OpsdeckBridge['call']): { bridge: OpsdeckBridge; push(event: string, payload: unknown): void; subscriptions: string[] } {
  const listeners = new Map<string, (payload: unknown) => void>();
  const subscriptions: string[] = [];
  return {
    bridge: {
      call,
      on(event, listener) {
        subscriptions.push(event);
        listeners.set(event, listener);
        return () => listeners.delete(event);
      },
    },
    push: (event, payload) => listeners.get(event)?.(payload),
    subscriptions,
  };
}

test('answers are parsed; a bridge that throws is the main process not answering', async () => {
  const ok = createBridgeClient(bridge(async () => ({ ok: true, result: controlState({ version: 3 }) })).bridge);
  assert.equal((await ok.call('control.get', {})).version, 3);
  const broken = createBridgeClient(
    bridge(async () => {
      throw new Error('ipc closed');
    }).bridge,
  );
  await assert.rejects(broken.call('control.get', {}), (error: unknown) => error instanceof HostUnreachableError && error.code === 'unavailable' && error.host === 'desktop');
});

test('events subscribe once per name on the bridge and are parsed before they are delivered', () => {
  const fake = bridge(async () => ({ ok: true, result: {} }));
  const client = createBridgeClient(fake.bridge);
  const seen: number[] = [];
  client.on('control.changed', (control) => seen.push(control.version));
  client.on('control.changed', (control) => seen.push(control.version * 10));
  fake.push('control.changed', controlState({ version: 2 }));
  fake.push('control.changed', { version: 'not a number' });
  assert.deepEqual(fake.subscriptions, ['control.changed']);
  assert.deepEqual(seen, [2, 20]);
});
