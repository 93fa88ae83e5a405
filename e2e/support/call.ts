import type { Page } from '@playwright/test';
import { z } from 'zod';

const Envelope = z.union([z.object({ ok: z.literal(true), result: z.unknown() }), z.object({ ok: z.literal(false), error: z.object({ message: z.string() }) })]);

/** Calls the API through the page's own host (fetch with the tab's token, or the preload bridge). */
export async function callThroughPage(page: Page, name: string, input: unknown): Promise<unknown> {
  const answer: unknown = await page.evaluate(
    async ({ name, input }) => {
      const bridge: unknown = Reflect.get(globalThis, 'opsdeck');
      if (typeof bridge === 'object' && bridge !== null && 'call' in bridge && typeof bridge.call === 'function') {
        return bridge.call(name, input);
      }
      // As the console does: the token the printed URL gave this tab, as a Bearer header.
      const token = sessionStorage.getItem('opsdeck.session') ?? '';
      const response = await fetch(`/api/call/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(input) });
      return response.json();
    },
    { name, input },
  );
  const envelope = Envelope.parse(answer);
  if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.message}`);
  return envelope.result;
}
