/** How deep an input may nest: far beyond any real payload, far short of what would exhaust a validator's stack. */
export const MAX_INPUT_DEPTH = 64;

export interface InputProblem {
  /** Where, as the contract's issues name it: `filter.search`, `jobs[2].payload.note`. */
  path: string;
  message: string;
}

/** What in one string no store can keep, or null. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which no store can keep';
  if (!text.isWellFormed()) return 'contains a lone UTF-16 surrogate, which is not text in any encoding the stores keep';
  return null;
}

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * The first thing in an input (any string, object key included, at any depth) that a store cannot keep or
 * a validator should not walk: a NUL character (PostgreSQL's text and jsonb refuse it), a lone surrogate
 * (no UTF-8 spelling; PostgreSQL's JSON parser refuses its escape), or nesting deeper than
 * MAX_INPUT_DEPTH. Null when there is none. Walks without recursion, so no input can exhaust the stack.
 */
export function inputTextProblem(input: unknown): InputProblem | null {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: input, path: '', depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value === 'string') {
      const message = textProblem(value);
      if (message) return { path, message };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_INPUT_DEPTH) return { path, message: `nests deeper than ${MAX_INPUT_DEPTH} levels` };
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => pending.push({ value: item, path: child(path, i), depth: depth + 1 }));
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      const message = textProblem(key);
      if (message) return { path: child(path, key), message: `its name ${message}` };
      pending.push({ value: item, path: child(path, key), depth: depth + 1 });
    }
  }
  return null;
}
