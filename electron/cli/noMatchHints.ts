import { classesNamedIn, isKnownErrorClass, unknownErrorClass } from '../../shared/errorClass.ts';
import type { ApiContext } from '../api/context.ts';
import { unknownFilterNames } from '../api/filterNames.ts';

/**
 * Why a filtered listing may have found nothing when the filter itself is the likelier mistake: a failure
 * class opsdeck never writes, a queue or service nothing here names (with the one likely meant), a search
 * for a class's word in the errors' text. Said beside the empty answer, not instead of it: a service may run
 * on workers whose registry this one is not.
 */
export async function noMatchHints(ctx: ApiContext, filter: { errorClass?: string; service?: string; queue?: string; search?: string }): Promise<string[]> {
  const hints: string[] = [];
  if (filter.errorClass !== undefined && !isKnownErrorClass(filter.errorClass)) {
    hints.push(`${unknownErrorClass(filter.errorClass)}; opsdeck jobs --help lists them`);
  }
  const unknown = await unknownFilterNames(ctx, filter);
  hints.push(...unknown.map((name) => name.message));
  const { registry } = ctx;
  const service = filter.service;
  if (service !== undefined && !unknown.some((name) => name.field === 'service') && registry.loadedAt !== null && registry.service(service) === undefined) {
    const known = registry.registry.services.map((s) => s.name);
    const shown = known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ');
    hints.push(`service ${service} is not in the registry loaded here (known: ${shown || 'none'})`);
  }
  const classes = filter.search === undefined || filter.errorClass !== undefined ? [] : classesNamedIn(filter.search);
  if (classes.length > 0) {
    const options = classes.map((c) => `--class ${c}`).join(' or ');
    hints.push(`--search matches the text of the errors, which seldom says its class; ${options} lists the jobs that failed of it`);
  }
  return hints;
}
