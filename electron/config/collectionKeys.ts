import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { RegistryProblem } from '../../shared/registry.ts';
import { formatPath, type PathKey } from './locate.ts';

/**
 * Keys that are themselves a mapping or a list: what YAML makes of a runbook's JavaScript pasted in
 * (`tasks: [ { name: 'A', dependsOn: ['B'] }, … ]` broken over lines). Read as they are, each would become a
 * key spelled as the whole mapping (`workflows[0].{ name: 'A', … }`) and the YAML library would warn on the
 * process's stderr. Each is said once, at its line, as what to write instead, and taken out of the document
 * before it is read, so nothing else is said of it.
 */

function nameOf(node: unknown): string | null {
  if (!isMap(node)) return null;
  const name = node.items.find((item) => isScalar(item.key) && item.key.value === 'name');
  return name && isScalar(name.value) ? String(name.value.value) : null;
}

function problemAt(pair: Pair, path: readonly PathKey[], lines: LineCounter): RegistryProblem {
  const key = pair.key;
  const start = isMap(key) || isSeq(key) ? (key.range?.[0] ?? 0) : 0;
  const what = isSeq(key) ? 'a [ … ] list' : 'a { … } mapping';
  const name = nameOf(key);
  const entry = name === null ? '"- key: value"' : `"- name: ${name}"`;
  return {
    ...lines.linePos(start),
    path: formatPath(path),
    message: `a key here is ${what}, and a key must be a plain name: write each entry as ${entry} with its other keys indented below it (YAML, not the runbook's JavaScript)`,
  };
}

function walk(node: unknown, path: PathKey[], lines: LineCounter, out: RegistryProblem[]): void {
  if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item, [...path, i], lines, out));
    return;
  }
  if (!isMap(node)) return;
  const kept = node.items.filter((pair) => {
    const collection = isMap(pair.key) || isSeq(pair.key);
    if (collection) out.push(problemAt(pair, path, lines));
    return !collection;
  });
  node.items.splice(0, node.items.length, ...kept);
  for (const pair of kept) {
    if (isPair(pair) && isScalar(pair.key)) walk(pair.value, [...path, String(pair.key.value)], lines, out);
  }
}

/** Takes every mapping or list used as a key out of the document, and says where each was. */
export function takeCollectionKeys(doc: Document, lines: LineCounter): RegistryProblem[] {
  const out: RegistryProblem[] = [];
  walk(doc.contents satisfies Node | null, [], lines, out);
  return out;
}
