import { apiKeyView } from '../../../shared/apiKey.ts';
import { generateKey } from '../apiKeys.ts';
import { conflict, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';

const DAY_MS = 86_400_000;

/** Keys are made and revoked by whoever runs this host (the console, the CLI), never through a key. */
export const apiKeys: Handlers<'apiKeys.list' | 'apiKeys.create' | 'apiKeys.revoke'> = {
  // Expired as the REST API would judge a request now: by this process's clock, as checkKey does.
  'apiKeys.list': async (_input, ctx) => {
    const now = Date.now();
    return { keys: (await ctx.store.listApiKeys()).map((key) => apiKeyView(key, now)) };
  },

  'apiKeys.create': async (input, ctx) => {
    const generated = generateKey();
    const expires = input.expires_in_days === undefined ? null : new Date(Date.now() + input.expires_in_days * DAY_MS).toISOString();
    const key = await ctx.store.createApiKey({ ...generated.stored, name: input.name, scope: input.scope, expires_at: expires }, ctx.actor);
    if (!key) throw conflict(`an API key named ${input.name} exists; revoke it first or pick another name`);
    return { key: apiKeyView(key, Date.now()), secret: generated.secret };
  },

  'apiKeys.revoke': async (input, ctx) => {
    const gone = await ctx.store.revokeApiKey(input.name, ctx.actor);
    if (!gone) throw notFound(`no API key named ${input.name}`);
    return apiKeyView(gone, Date.now());
  },
};
