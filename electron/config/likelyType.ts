import { EXECUTION_TYPES, ExecutionType } from '../../shared/domain.ts';
import { ServiceConfig } from '../../shared/registry.ts';
import type { RawProblem } from './checks.ts';
import { closest } from '../../shared/closestWord.ts';
import { fromZodIssues } from './zodIssues.ts';

/**
 * A service whose execution_type is unknown gets only that one complaint from the schema (the type picks
 * which fields are valid). So that the operator fixing "Shell" does not meet a second round of problems
 * after the first, the rest of the service is checked as the type it most likely means; with no likely
 * type, everything but its runner_config is checked.
 */

const COMMON_FIELDS = ServiceConfig.options[0].omit({ execution_type: true, runner_config: true });

/** The type an unknown execution_type most likely means, if any ("Shell" means shell). */
function likelyType(value: unknown): ExecutionType | null {
  if (typeof value !== 'string' || ExecutionType.safeParse(value).success) return null;
  const hint = closest(value, EXECUTION_TYPES);
  return hint === null ? null : ExecutionType.parse(hint);
}

export interface LikelyTypeCheck {
  problems: RawProblem[];
  /** The service as its likely type, for the checks beyond the schema; null with no likely type. */
  probe: Record<string, unknown> | null;
}

/** Service `index` of `services` checked as its likely type; nothing when its execution_type is known. */
export function checkAsLikelyType(services: readonly unknown[], index: number): LikelyTypeCheck {
  const item = services[index];
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return { problems: [], probe: null };
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(item));
  if (typeof fields.execution_type !== 'string' || ExecutionType.safeParse(fields.execution_type).success) return { problems: [], probe: null };
  const assumed = likelyType(fields.execution_type);
  const probe = assumed
    ? { ...fields, execution_type: assumed }
    : Object.fromEntries(Object.entries(fields).filter(([key]) => key !== 'execution_type' && key !== 'runner_config'));
  const parsed = assumed ? ServiceConfig.safeParse(probe) : COMMON_FIELDS.safeParse(probe);
  if (parsed.success) return { problems: [], probe: assumed ? probe : null };
  const issues = parsed.error.issues.map((issue) => ({ ...issue, path: ['services', index, ...issue.path] }));
  // Messages are worded from the document as the probe reads it (an http service's missing base_url).
  const root = { services: services.map((other, i) => (i === index ? probe : other)) };
  return { problems: fromZodIssues(issues, root), probe: assumed ? probe : null };
}
