import { parseDuration } from '../../../shared/duration.ts';
import { ApiKeyScope, type ApiKeyView } from '../../../shared/apiKey.ts';
import { listOnly, positionals, str, UsageError } from '../args.ts';
import { call, withRuntime } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { printJson, when, type Io } from '../output.ts';
import { renderTable } from '../table.ts';

const DAY_S = 86_400;

/** `--expires 30d` (days or weeks) → whole days. */
function expiresInDays(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (seconds === null || seconds === 0 || seconds % DAY_S !== 0 || !/[dw]\s*$/i.test(text)) throw new UsageError(`--expires takes days or weeks, like 30d or 12w, not "${text}"`);
  return seconds / DAY_S;
}

function keyTable(io: Io, keys: ApiKeyView[]): string {
  return renderTable(
    [{ header: 'name' }, { header: 'scope' }, { header: 'key id' }, { header: 'created' }, { header: 'by', max: 40 }, { header: 'last used' }, { header: 'expires' }],
    keys.map((k) => [k.name, k.scope, k.key_id, when(k.created_at), k.created_by, k.last_used_at ? when(k.last_used_at) : 'never', expiresText(k)]),
  );
}

/** When a key stops working; one that has stopped says so, as the 401 it now gets does. */
function expiresText(key: ApiKeyView): string {
  if (key.expires_at === null) return 'never';
  return key.expired ? `${when(key.expires_at)} (expired)` : when(key.expires_at);
}

async function create(inv: Invocation): Promise<number> {
  positionals(inv, ['create']);
  const name = str(inv.values, 'name');
  if (!name) throw new UsageError('api-key create needs --name NAME (what the audit log will call it)');
  const scope = ApiKeyScope.safeParse(str(inv.values, 'scope'));
  if (!scope.success) throw new UsageError('api-key create needs --scope read or --scope operate');
  const days = expiresInDays(str(inv.values, 'expires'));
  // The README's first step before `opsdeck api`, which creates a store too: the key may come first.
  return withRuntime(inv, async ({ ctx }) => {
    const created = await call(ctx, 'apiKeys.create', { name, scope: scope.data, expires_in_days: days });
    if (inv.common.json) {
      printJson(inv.io, created);
      return 0;
    }
    const expires = created.key.expires_at ? `, expires ${when(created.key.expires_at)}` : '';
    inv.io.err(`created API key ${created.key.name} (${created.key.scope}${expires}). It is shown this once and cannot be recovered: store it now.`);
    inv.io.out(created.secret);
    return 0;
  }, { registry: 'optional', mustExist: false });
}

export const apiKey: Command = {
  name: 'api-key',
  summary: 'API keys of the REST API: create (shown once), list, revoke',
  usage: 'create --name NAME --scope read|operate [--expires 30d] | list | revoke NAME',
  details: [
    'read     GET only: lists, counts, health; any change is refused with 403',
    'operate  also retries, cancels, stops, tunes',
    'Only a hash of each key is stored, in the store every host and worker shares. Actions through a key',
    'are audited under its name (api-key:NAME). Send it as Authorization: Bearer <key>.',
  ].join('\n'),
  options: {
    name: { type: 'string', value: 'NAME', description: 'create: the key name (letters, digits, . _ -)' },
    scope: { type: 'string', value: 'SCOPE', description: 'create: read or operate' },
    expires: { type: 'string', value: 'AGE', description: 'create: stops working after this long, e.g. 30d or 12w (default never)' },
  },
  async run(inv) {
    const sub = inv.positionals[0] ?? 'list';
    if (sub === 'create') return create(inv);
    if (sub === 'list') {
      listOnly(inv);
      return withRuntime(inv, async ({ ctx }) => {
        const { keys } = await call(ctx, 'apiKeys.list', {});
        if (inv.common.json) printJson(inv.io, { keys });
        else inv.io.out(keys.length === 0 ? 'no API keys; make one with opsdeck api-key create --name NAME --scope read|operate' : keyTable(inv.io, keys));
        const expired = keys.filter((k) => k.expired).map((k) => k.name);
        if (!inv.common.json && expired.length > 0) {
          inv.io.out(`\nexpired, so refused (401): ${expired.join(', ')}; opsdeck api-key revoke NAME removes one, api-key create makes its successor`);
        }
        return 0;
      }, { registry: 'optional' });
    }
    if (sub === 'revoke') {
      const [, name] = positionals(inv, ['revoke', 'NAME']);
      return withRuntime(inv, async ({ ctx }) => {
        const gone = await call(ctx, 'apiKeys.revoke', { name: name ?? '' });
        if (inv.common.json) printJson(inv.io, gone);
        else inv.io.out(`API key ${gone.name} revoked: it stops working at once`);
        return 0;
      }, { registry: 'optional' });
    }
    throw new UsageError(`api-key takes create, list or revoke, not "${sub}"`);
  },
};
