import { countText } from '../../shared/countText.ts';
import type { DlqSelector } from '../../shared/domain.ts';
import { classesNamedIn, errorClassesOf } from '../../shared/errorClass.ts';
import type { ApiContext } from '../api/context.ts';
import { call } from './call.ts';

/** The classes named at most, largest first: enough to pick from, one line. */
const CLASSES_SHOWN = 8;

/**
 * Beside a search or a class that matched no open dead letter: the open ones counted by the class they
 * failed of (of the selector's service, when it names one), and the --class likely meant. A runbook's
 * words seldom are the errors' ("connection reset" of errors that say "the server closed the connection"),
 * where the class is the same whatever the text. Null when the selector named neither.
 */
export async function openClassesText(ctx: ApiContext, selector: DlqSelector): Promise<string | null> {
  if ((selector.search ?? '') === '' && selector.error_class === undefined) return null;
  const { groups, truncated } = await call(ctx, 'dlq.groups', { service: selector.service });
  const of = selector.service === undefined ? '' : ` of ${selector.service}`;
  if (groups.length === 0) return `no dead letter${of} is open`;
  const byClass = new Map<string, number>();
  // A dead letter whose attempt recorded no class (written before classes were kept): no --class picks it.
  let unclassified = 0;
  for (const group of groups) {
    if (group.error_class === null) unclassified += group.count;
    else byClass.set(group.error_class, (byClass.get(group.error_class) ?? 0) + group.count);
  }
  const counts = [...byClass].sort(([a, m], [b, n]) => n - m || a.localeCompare(b));
  const shown = counts.slice(0, CLASSES_SHOWN).map(([errorClass, n]) => `${errorClass} ${countText(n)}`).join(', ');
  const more = counts.length > CLASSES_SHOWN ? `, and ${countText(counts.length - CLASSES_SHOWN)} more` : '';
  const none = unclassified === 0 ? '' : `${shown === '' ? '' : ', '}unclassified ${countText(unclassified)}`;
  const among = truncated ? ` (in the ${countText(groups.length)} largest groups)` : '';
  const open = `open dead letters${of} by class: ${shown}${more}${none}${among}`;
  const meant = classesNamedIn(selector.search ?? '').filter((named) => named !== selector.error_class && errorClassesOf(named).some((exact) => byClass.has(exact)));
  if (meant.length > 0) return `${open}: try ${meant.map((named) => `--class ${named}`).join(' or ')}, or opsdeck dlq groups for their errors`;
  if (unclassified === 0) return `${open}: --class CLASS picks one, opsdeck dlq groups shows their errors`;
  const picks = byClass.size > 0 ? '--class CLASS picks one, --fingerprint FP the unclassified' : '--fingerprint FP picks them';
  return `${open}: ${picks}; opsdeck dlq groups shows their errors and fingerprints`;
}
