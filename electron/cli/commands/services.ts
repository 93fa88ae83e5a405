import { closest } from '../../../shared/closestWord.ts';
import type { RegistryView } from '../../../shared/contract.ts';
import type { RegistryProblem } from '../../../shared/registry.ts';
import { retryText } from '../../../shared/retryText.ts';
import { UsageError } from '../args.ts';
import { registryView } from '../../api/handlers/registry.ts';
import { RegistryHolder } from '../../config/holder.ts';
import { CliFailure, type Command } from '../command.ts';
import { NO_REGISTRY } from '../noRegistry.ts';
import { printJson } from '../output.ts';
import { renderFields, renderTable } from '../table.ts';
import { serviceSettings } from '../serviceSettings.ts';

/** The service's own cap (`concurrency`) and the fleet's (`max_concurrent`), whichever it has. */
function concurrencyText(s: RegistryView['services'][number]): string {
  const fleet = s.max_concurrent === null ? null : `${s.max_concurrent} across workers`;
  if (s.concurrency === null) return fleet ?? '-';
  return fleet === null ? String(s.concurrency) : `${s.concurrency}, ${fleet}`;
}

/** The one error, said; more are counted and left to validate-config, which lists each at its line. */
function notLoadedText(file: string, problems: RegistryProblem[]): string {
  const errors = problems.filter((p) => p.severity !== 'warning');
  const [only] = errors;
  if (errors.length !== 1 || !only) return `${errors.length} problems: opsdeck validate-config ${file} lists them`;
  // A problem of the file or document as a whole has no line and a path in parentheses: (file), (document).
  const where = `${only.line === null ? '' : `line ${only.line}: `}${only.path.startsWith('(') ? '' : `${only.path}: `}`;
  return `${where}${only.message}`;
}

export const services: Command = {
  name: 'services',
  storeless: true,
  summary: "the registry's services with the settings in force: queue, timeout, concurrency, retry strategy; NAME: its runner's too",
  usage: '[NAME]',
  details: [
    'The registry loaded here (--registry FILE or $OPSDECK_REGISTRY), each service with what its jobs get: the',
    "runner_config's settings over the service's own, over the defaults. A retry waits a random time up to its",
    'backoff (full jitter). Circuit breakers and rate limits in force, tunings included: opsdeck breaker list.',
    "NAME adds what its runner runs and is allowed: a shell service's command, allowed_commands, working directory",
    'and user, an HTTP one\'s request and auth, a Docker one\'s image and volumes; timeouts and resource limits. A',
    'secret is named by the variable that holds it, never its value.',
  ].join('\n'),
  options: {},
  async run(inv) {
    if (inv.positionals.length > 1) throw new UsageError(`services takes at most one service name, not ${inv.positionals.length}`);
    const name = inv.positionals[0];
    // The registry file alone: no store is opened (or created), so it answers with the store down too.
    const file = inv.common.registry;
    if (file === undefined) throw new UsageError(NO_REGISTRY);
    const holder = new RegistryHolder(inv.io.env);
    const loaded = await holder.loadFile(file);
    if (!loaded.ok) throw new CliFailure(`${file} does not load: ${notLoadedText(file, loaded.problems)}`, 1);
    const view = registryView(holder);
    const shown = name === undefined ? view.services : view.services.filter((s) => s.name === name);
    if (name !== undefined && shown.length === 0) {
      const names = view.services.map((s) => s.name);
      const meant = closest(name, names);
      throw new UsageError(`service ${name} is not in the registry (${meant ? `did you mean ${meant}? ` : ''}known: ${names.join(', ') || 'none'})`);
    }
    // One service named: its runner's settings too, the runbooks' "check permissions".
    const one = name === undefined ? undefined : holder.registry.services.find((s) => s.name === name);
    const settings = one === undefined ? null : serviceSettings(one);
    if (inv.common.json) {
      printJson(inv.io, { path: view.path, services: shown, ...(settings === null ? {} : { settings: Object.fromEntries(settings) }) });
      return 0;
    }
    inv.io.out(
      renderTable(
        [{ header: 'service' }, { header: 'type' }, { header: 'queue' }, { header: 'timeout', align: 'right' }, { header: 'concurrency', align: 'right' }, { header: 'retry', max: 300 }],
        shown.map((s) => [s.name, s.execution_type, s.queue, `${s.timeout}s`, concurrencyText(s), retryText(s.retry)]),
      ),
    );
    if (settings !== null) inv.io.out(`\n${renderFields(settings)}`);
    // The registry file alone: a limit tuned at run time is in the store.
    if (shown.some((s) => s.max_concurrent !== null)) inv.io.out('\nmax_concurrent as the registry writes it; opsdeck rate-limit list shows the limits in force, tunings included');
    return 0;
  },
};
