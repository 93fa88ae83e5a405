import { formatProblem, loadRegistryFile } from '../../config/load.ts';
import { positionals } from '../args.ts';
import type { Command } from '../command.ts';
import { printJson } from '../output.ts';

/** Needs no store: a registry can be checked on any machine before it is deployed. */
export const validateConfig: Command = {
  name: 'validate-config',
  storeless: true,
  summary: 'check a service registry; every problem as file:line:col path: message; exit 1 on any error',
  usage: 'FILE',
  options: {},
  async run(inv) {
    const [file] = positionals(inv, ['FILE']);
    const path = file ?? '';
    const result = await loadRegistryFile(path, inv.io.env);
    if (inv.common.json) {
      printJson(inv.io, {
        ok: result.registry !== null,
        file: path,
        services: result.registry?.services.length ?? 0,
        problems: result.problems.map((p) => ({ ...p, text: formatProblem(path, p) })),
      });
    } else {
      for (const p of result.problems) inv.io.out(formatProblem(path, p));
      if (result.registry) inv.io.out(`${path}: ok, ${result.registry.services.length} service(s)${result.problems.length > 0 ? `, ${result.problems.length} warning(s)` : ''}`);
      else inv.io.err(`opsdeck: ${path}: ${result.errors} problem(s)`);
    }
    return result.registry ? 0 : 1;
  },
};
