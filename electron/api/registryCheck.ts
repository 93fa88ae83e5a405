import type { HealthCheck } from '../../shared/domain.ts';
import { isError } from '../config/load.ts';
import { readingWords } from './answeredBy.ts';
import type { Store } from '../store/store.ts';
import type { ApiContext } from './context.ts';
import { noRegistryLoaded } from './noRegistry.ts';
import { countText } from '../../shared/countText.ts';

/** Where the registry's check of an alert channel's URL variable puts its warning. */
const CHANNEL_VARIABLE = /^alerts\[\d+\]\.channels\[\d+\]\.url_env_var$/;

/** What the registry check reads of this process; the store is asked only for pending jobs, when it answers. */
type RegistryHost = Pick<ApiContext, 'registry' | 'words' | 'answeredBy' | 'hostHidden'>;

/**
 * With no registry loaded this process knows no service: fine on an empty store, worth a warning while jobs
 * are pending (the console shows them, a CLI lists them) whose services it cannot look up. A store that does
 * not answer is its own check's failure.
 */
async function noRegistryCheck(ctx: RegistryHost, store: Store | null): Promise<HealthCheck> {
  const detail = noRegistryLoaded(ctx.words);
  const pending = store ? await store.pendingByService().catch((): Record<string, number> => ({})) : {};
  const services = Object.entries(pending).filter(([, n]) => n > 0).map(([service]) => service).sort();
  if (services.length === 0) return { name: 'registry', ok: true, detail };
  const jobs = Object.values(pending).reduce((a, b) => a + b, 0);
  const shown = services.length > 5 ? `${services.slice(0, 5).join(', ')} and ${services.length - 5} more` : services.join(', ');
  return { name: 'registry', ok: true, warning: true, detail: `${detail}; ${countText(jobs)} job(s) pending in the store, of service(s) this process cannot know: ${shown}` };
}

/**
 * Where a registry was read from, as the caller may learn it: a caller blind to the host (ctx.hostHidden)
 * is told it was a file, not where the file is.
 */
function fileWords(ctx: RegistryHost, path: string | null): string {
  if (path === null) return 'text';
  return ctx.hostHidden === undefined ? path : 'the registry file';
}

/**
 * The registry as this process read it. A refusal is this process's own reading of the file (a worker
 * reads the file itself, and keeps its last good copy), so the detail says whose reading it was, and
 * quotes the first problem, which is the cause: load.ts lists a YAML syntax error before what follows
 * from it. `store`: the store when it answered, so pending jobs can be asked for when no registry is loaded.
 */
export async function registryCheck(ctx: RegistryHost, store: Store | null): Promise<HealthCheck> {
  const holder = ctx.registry;
  const errors = holder.problems.filter(isError);
  const first = errors[0];
  if (first) {
    const file = holder.problemsFile === null ? 'the registry' : fileWords(ctx, holder.problemsFile);
    const at = first.line === null ? '' : `${first.line}:${first.col ?? 1} `;
    const kept = holder.loadedAt === null ? '' : `; it still uses the ${holder.registry.services.length} service(s) it loaded from ${fileWords(ctx, holder.path)} at ${holder.loadedAt.toISOString()}`;
    const lists = ctx.hostHidden === undefined ? ctx.words.call('registry.validate', { path: file }) : 'opsdeck validate-config on the file';
    return {
      name: 'registry',
      ok: false,
      detail: `${readingWords(ctx.answeredBy)} of ${file} was refused: ${errors.length} problem(s), first ${at}${first.path}: ${first.message}${kept}; workers read the file themselves (${lists} lists every problem)`,
    };
  }
  if (holder.loadedAt === null) return noRegistryCheck(ctx, store);
  const loaded = `${holder.registry.services.length} service(s) from ${fileWords(ctx, holder.path)}`;
  // What validate-config warns of (a memory limit the runtime cannot start under) is worth a look here too;
  // an alert channel's variable unset here is the alerts check's, said there with what the store knows.
  const [warning, ...rest] = holder.problems.filter((p) => !CHANNEL_VARIABLE.test(p.path));
  if (!warning) return { name: 'registry', ok: true, detail: loaded };
  const more = rest.length > 0 ? ' (and more: validate-config lists them)' : '';
  return { name: 'registry', ok: true, warning: true, detail: `${loaded}; warning: ${warning.path}: ${warning.message}${more}` };
}
