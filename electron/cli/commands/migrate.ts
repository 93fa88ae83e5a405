import { createRuntime } from '../../api/runtime.ts';
import { positionals } from '../args.ts';
import type { Command } from '../command.ts';
import { printJson } from '../output.ts';
import { CLI_WORDS } from '../words.ts';

export const migrate: Command = {
  name: 'migrate',
  summary: "apply the store's pending schema migrations (each in its own transaction, checksummed)",
  usage: '',
  options: {},
  async run(inv) {
    positionals(inv, []);
    // Opening migrates; a newer or changed schema is refused by the store with a one-line reason.
    const rt = await createRuntime({ words: CLI_WORDS, db: inv.common.db, registryPath: null, env: inv.io.env, execute: false, migrate: true });
    try {
      const status = await rt.ctx.store.migrationStatus();
      const out = { store: rt.ctx.store.location, dialect: rt.ctx.store.dialect, ...status };
      if (inv.common.json) printJson(inv.io, out);
      else inv.io.out(`${out.dialect} store at ${out.store}: ${status.applied} migration(s) applied, ${status.current ? 'schema current' : `${status.pending} pending`}`);
      return status.current ? 0 : 1;
    } finally {
      await rt.close();
    }
  },
};
