import { isMap, isSeq, isScalar, isPair, type Document, type LineCounter, type Node } from 'yaml';

export type PathKey = string | number;

export interface Position {
  line: number | null;
  col: number | null;
}

/** services[2].runner_config.base_url: the form problems name their place by. */
/** The value at a path inside parsed input (YAML, JSON), or undefined where the path leads nowhere. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Reflect.get(node, key);
  }
  return node;
}

export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? key : `.${key}`;
  }
  return out === '' ? '(document)' : out;
}

function child(node: Node | null, key: PathKey): { value: Node | null; keyNode: Node | null } | null {
  if (isMap(node)) {
    for (const item of node.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === String(key)) {
        return { value: isNode(item.value) ? item.value : null, keyNode: item.key };
      }
    }
    return null;
  }
  if (isSeq(node) && typeof key === 'number') {
    const item = node.items[key];
    return isNode(item) ? { value: item, keyNode: null } : null;
  }
  return null;
}

/**
 * Where a path lives in the file. A path whose end is missing (a required key not written) is placed at
 * its nearest existing ancestor, so the operator is taken to the block that lacks it.
 * `preferKey` points at the key rather than its value (for unknown keys).
 */
export function locate(doc: Document, lines: LineCounter, path: readonly PathKey[], preferKey = false): Position {
  let node: Node | null = isNode(doc.contents) ? doc.contents : null;
  let best: Node | null = node;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (key === undefined) break;
    const next = child(node, key);
    if (!next) break;
    const isLast = i === path.length - 1;
    if (isLast && preferKey && next.keyNode) {
      best = next.keyNode;
      break;
    }
    if (!next.value) {
      best = next.keyNode ?? best;
      break;
    }
    node = next.value;
    best = node;
  }
  const offset = best?.range?.[0];
  if (offset === undefined) return { line: null, col: null };
  const pos = lines.linePos(offset);
  return { line: pos.line, col: pos.col };
}

function isNode(value: unknown): value is Node {
  return isMap(value) || isSeq(value) || isScalar(value);
}
