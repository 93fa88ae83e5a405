import { existsSync } from 'node:fs';
import type { ConnectionTest, SettingsView } from '../../../shared/contract.ts';
import { schemaBehindAdvice, schemaBehindText, type Behind } from '../../../shared/schemaBehind.ts';
import { SchemaBehindError, StoreError } from '../../store/errors.ts';
import { parseLocation, redactLocation } from '../../store/location.ts';
import { openStore } from '../../store/open.ts';
import { formatActor } from '../actor.ts';
import type { ApiContext } from '../context.ts';
import { conflict } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { withoutPassword } from '../redact.ts';
import { OPSDECK_VERSION } from '../version.ts';

export function settingsView(ctx: ApiContext): SettingsView {
  return {
    connection: ctx.store.location,
    dialect: ctx.store.dialect,
    local_execution: ctx.settings.localExecution,
    registry_path: ctx.registry.path,
    actor: formatActor(ctx.actor),
    version: OPSDECK_VERSION,
  };
}

async function testConnection(url: string, env: Record<string, string | undefined>): Promise<ConnectionTest> {
  let location;
  try {
    location = parseLocation(url);
  } catch (error) {
    return { ok: false, message: withoutPassword(error instanceof Error ? error.message : String(error), url) };
  }
  // Opening a missing SQLite file would create it: a test must not leave files behind.
  if (location.dialect === 'sqlite' && location.path !== ':memory:' && !existsSync(location.path)) {
    return { ok: true, message: `no file at ${location.path} yet; switching creates a new SQLite store there` };
  }
  try {
    // A file that exists is opened as it is: behind this opsdeck, its statements would not even prepare.
    const store = await openStore(url, { migrate: false, mustExist: location.dialect === 'sqlite', env });
    try {
      const status = await store.migrationStatus();
      if (status.current) return { ok: true, message: `connected to ${store.location} (${store.dialect}, schema current)` };
      return { ok: true, warning: true, message: `connected to ${store.location} (${store.dialect}): ${behindText(store.location, status)}` };
    } finally {
      await store.close();
    }
  } catch (error) {
    if (error instanceof SchemaBehindError) return { ok: true, warning: true, message: behindText(redactLocation(url), error) };
    // An empty file, or one another opsdeck is making a store in this moment: switching makes (or finds) the store.
    if (error instanceof StoreError && error.code === 'no_store' && location.dialect === 'sqlite') return { ok: true, message: `no opsdeck store in ${location.path} yet; switching creates a new SQLite store there` };
    const message = error instanceof StoreError || error instanceof Error ? error.message : String(error);
    return { ok: false, message: withoutPassword(message, url) };
  }
}

/** A store behind this opsdeck, in the words the CLI refuses it with, ended by what Switch does about it. */
function behindText(where: string, behind: Behind): string {
  return `${schemaBehindText(where, behind)}, which Switch applies; ${schemaBehindAdvice('switch to it')}`;
}

export const settings: Handlers<'settings.get' | 'settings.testConnection' | 'settings.setConnection' | 'settings.setLocalExecution'> = {
  'settings.get': async (_input, ctx) => settingsView(ctx),

  'settings.testConnection': async (input, ctx) => testConnection(input.url, ctx.env),

  'settings.setConnection': async (input, ctx) => {
    if (!ctx.settings.switchStore) throw conflict('this host cannot switch stores; start it again with --db');
    const from = ctx.store.location;
    await ctx.settings.switchStore(input.url);
    await ctx.store.audit({ actor: ctx.actor, action: 'settings.connection', target: ctx.store.location, details: { from } });
    return settingsView(ctx);
  },

  'settings.setLocalExecution': async (input, ctx) => {
    if (!ctx.settings.setLocalExecution) throw conflict('this host cannot change local execution');
    if (ctx.settings.localExecution !== input.enabled) {
      await ctx.settings.setLocalExecution(input.enabled);
      await ctx.store.audit({ actor: ctx.actor, action: 'settings.local_execution', target: null, details: { enabled: input.enabled } });
    }
    return settingsView(ctx);
  },
};
