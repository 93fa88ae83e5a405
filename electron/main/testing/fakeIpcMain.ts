import assert from 'node:assert/strict';
import { CALL_CHANNEL } from '../channels.ts';
import type { IpcInvokeEventLike, IpcMainLike } from '../ipc.ts';

/** Stands in for Electron's ipcMain: keeps the handlers and lets a test invoke them as a frame would. */
export function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const ipc: IpcMainLike = {
    handle(channel, listener) {
      assert.ok(!handlers.has(channel), `a second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
  return {
    ipc,
    handlers,
    invoke(frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
      const handler = handlers.get(CALL_CHANNEL);
      assert.ok(handler, 'no handler registered');
      return handler({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args);
    },
  };
}
