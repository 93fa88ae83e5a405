import { isKnownErrorClass, unknownErrorClass } from '../../shared/errorClass.ts';
import type { RegistryHolder } from '../config/holder.ts';

/**
 * Why a filtered listing may have found nothing when the filter itself is the likelier mistake: a failure
 * class opsdeck never writes, a service the registry loaded here does not name. Said beside the empty
 * answer, not instead of it: a service may run on workers whose registry this one is not.
 */
export function noMatchHints(filter: { errorClass?: string; service?: string }, registry: RegistryHolder): string[] {
  const hints: string[] = [];
  if (filter.errorClass !== undefined && !isKnownErrorClass(filter.errorClass)) {
    hints.push(`${unknownErrorClass(filter.errorClass)}; opsdeck jobs --help lists them`);
  }
  if (filter.service !== undefined && registry.loadedAt !== null && registry.service(filter.service) === undefined) {
    const known = registry.registry.services.map((s) => s.name);
    const shown = known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ');
    hints.push(`service ${filter.service} is not in the registry loaded here (known: ${shown || 'none'})`);
  }
  return hints;
}
