import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document, type DocumentOptions, type ParseOptions } from 'yaml';
import { Registry, ServiceConfig, type RegistryProblem } from '../../shared/registry.ts';
import { duplicateNames, serviceChecks, type RawProblem } from './checks.ts';
import { twoPlaceChecks } from './twoPlaces.ts';
import type { HostEnv } from './hostEnv.ts';
import { workflowChecks } from './workflowChecks.ts';
import { alertChecks } from './alertChecks.ts';
import { checkAsLikelyType } from './likelyType.ts';
import { formatPath, locate } from './locate.ts';
import { scheduleChecks } from './scheduleChecks.ts';
import { payloadArgsChecks } from './payloadArgsChecks.ts';
import { fromZodIssues } from './zodIssues.ts';
import { registryDigest } from './registryDigest.ts';
import { takeCollectionKeys } from './collectionKeys.ts';
import { binaryText, capProblems, MAX_REGISTRY_BYTES, notAMapping, notARegistry, notText } from './notRegistry.ts';

export interface RegistryParse {
  /** Null when any problem is an error: a registry that does not validate is never used. */
  registry: Registry | null;
  /** The problems found, errors and warnings, in file order: the first fifty, then one line for the rest. */
  problems: RegistryProblem[];
  /** Every error found, listed or not. */
  errors: number;
  /** The sha256 of the bytes read (registryDigest.ts): which registry this is, whatever was found in it. */
  digest?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function isError(problem: RegistryProblem): boolean {
  return problem.severity !== 'warning';
}

/** `file:line:col path: message`, the form editors and terminals link to. */
export function formatProblem(file: string, p: RegistryProblem): string {
  const where = p.line === null ? file : `${file}:${p.line}:${p.col ?? 1}`;
  const level = p.severity === 'warning' ? 'warning: ' : '';
  return `${where} ${p.path}: ${level}${p.message}`;
}

/** A problem found at a path of the parsed value, given the line and column of that path in the file. */
export function placeProblem(doc: Document, lines: LineCounter, raw: RawProblem): RegistryProblem {
  const pos = locate(doc, lines, raw.path, raw.atKey ?? false);
  return { line: pos.line, col: pos.col, path: formatPath(raw.path), message: raw.message, severity: raw.severity };
}

function refused(problems: RegistryProblem[]): RegistryParse {
  return { registry: null, problems: capProblems(problems), errors: problems.filter(isError).length };
}

export function byPosition(a: RegistryProblem, b: RegistryProblem): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}

const isSyntaxError = (p: RegistryProblem): boolean => p.path === '(syntax)' && isError(p);

/**
 * YAML syntax errors first, then the rest in file order. A syntax error is the cause of what the schema
 * then finds (a key indented wrong leaves its service without it, at a line above the error), so the line
 * to fix is the first one read, and the follow-on problems, with their hints, come after it.
 */
export function causesFirst(a: RegistryProblem, b: RegistryProblem): number {
  return Number(isSyntaxError(b)) - Number(isSyntaxError(a)) || byPosition(a, b);
}

function servicesOf(value: unknown): unknown[] {
  if (value === null || typeof value !== 'object') return [];
  const services: unknown = Reflect.get(value, 'services');
  return Array.isArray(services) ? services : [];
}

const ESSENTIAL = new Set(['name', 'execution_type', 'runner_config', 'security_policy']);

/**
 * A service for the checks beyond the schema even when a side field is wrong (a timeout written as text),
 * so the operator sees those problems in the same pass. Null when what the checks read is itself broken.
 */
function salvage(item: unknown): ServiceConfig | null {
  const first = ServiceConfig.safeParse(item);
  if (first.success) return first.data;
  if (item === null || typeof item !== 'object') return null;
  const drop = new Set<string>();
  for (const issue of first.error.issues) {
    const keys = issue.code === 'unrecognized_keys' && issue.path.length === 0 ? issue.keys : [issue.path[0]];
    for (const key of keys) {
      if (typeof key !== 'string' || ESSENTIAL.has(key)) return null;
      drop.add(key);
    }
  }
  const rest = Object.fromEntries(Object.entries(item).filter(([key]) => !drop.has(key)));
  const second = ServiceConfig.safeParse(rest);
  return second.success ? second.data : null;
}

/**
 * How registry and rule texts are read. The library's own warnings go to the problems it lists
 * (doc.warnings), never to the process's stderr or a server's log (`logLevel: 'error'`).
 */
export function yamlOptions(lineCounter: LineCounter): ParseOptions & DocumentOptions {
  return { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' };
}

const TOO_DEEP = 'YAML: nested too deep to read (collections inside collections, hundreds deep)';

/** The YAML parser's errors and warnings, at their lines. */
export function syntaxProblems(doc: Document, lines: LineCounter): RegistryProblem[] {
  const problems = [
    ...doc.errors.map((e): RegistryProblem => ({ ...lines.linePos(e.pos[0]), path: '(syntax)', message: yamlMessage(e.message) })),
    ...doc.warnings.map((w): RegistryProblem => ({ ...lines.linePos(w.pos[0]), path: '(syntax)', message: yamlMessage(w.message), severity: 'warning' })),
  ];
  // Out of stack, the reader complains again at every level it unwinds through: one line says it.
  const first = problems.findIndex((p) => p.message === TOO_DEEP);
  return first === -1 ? problems : problems.filter((p, i) => i === first || p.message !== TOO_DEEP);
}

/** The YAML reader's complaint; running out of stack is said as what the text did, not as the reader's failure. */
export function yamlMessage(message: string): string {
  return message.includes('Maximum call stack size exceeded') ? TOO_DEEP : `YAML: ${message}`;
}

/**
 * Parses and validates registry text. Every problem is reported with its line and column, YAML syntax,
 * schema and the checks beyond the schema alike, so one pass over the file fixes all of them. `env` a
 * BlindHost: checked blind to this host, each of its files or variables the text names said to be unchecked
 * at its line instead of looked at (HostEnv).
 */
export function parseRegistry(text: string, _file: string, env: HostEnv): RegistryParse {
  const binary = binaryText(text);
  if (binary) return refused([binary]);
  const lines = new LineCounter();
  const doc = parseDocument(text, yamlOptions(lines));
  const problems = syntaxProblems(doc, lines);

  let value: unknown;
  try {
    problems.push(...takeCollectionKeys(doc, lines));
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    problems.push({ line: null, col: null, path: '(document)', message: `YAML: ${e instanceof Error ? e.message : String(e)}` });
    return refused(problems);
  }
  if (value === null || value === undefined) {
    problems.push({ line: 1, col: 1, path: '(document)', message: "the registry is empty: expected a top-level 'services' list" });
    return refused(problems.sort(causesFirst));
  }
  // Not a registry at all: one problem that says so, not a syntax error or an unknown key per line.
  const foreign = notAMapping(value);
  if (foreign) return refused([foreign]);

  const raw: RawProblem[] = [];
  const parsed = Registry.safeParse(value);
  if (!parsed.success) raw.push(...fromZodIssues(parsed.error.issues, value));

  const names: Array<{ index: number; name: string }> = [];
  const services = servicesOf(value);
  services.forEach((item, index) => {
    const name: unknown = item !== null && typeof item === 'object' ? Reflect.get(item, 'name') : undefined;
    if (typeof name === 'string') names.push({ index, name });
    const likely = checkAsLikelyType(services, index);
    raw.push(...likely.problems);
    const service = salvage(likely.probe ?? item);
    if (service) raw.push(...serviceChecks(service, index, env));
    raw.push(...twoPlaceChecks(item, index));
  });
  raw.push(...duplicateNames(names));
  raw.push(...scheduleChecks(value));
  raw.push(...workflowChecks(value, new Set(names.map((n) => n.name))));
  raw.push(...alertChecks(value, env));
  raw.push(...payloadArgsChecks(value));

  problems.push(...raw.map((r) => placeProblem(doc, lines, r)));
  problems.sort(causesFirst);
  const errors = problems.filter(isError).length;
  return { registry: parsed.success && errors === 0 ? parsed.data : null, problems: capProblems(problems), errors };
}

export async function loadRegistryFile(file: string, env: Env): Promise<RegistryParse> {
  let bytes: Buffer;
  try {
    // A device or a multi-gigabyte file is no registry: refused before reading, which might never end.
    const info = await stat(file);
    if (!info.isFile()) return refused([notARegistry(info.isDirectory() ? 'it is a folder' : 'it is not a regular file')]);
    if (info.size > MAX_REGISTRY_BYTES) return refused([notARegistry(`it is ${Math.round(info.size / 1_048_576)} MB, a registry is at most ${MAX_REGISTRY_BYTES / 1_048_576} MB`)]);
    bytes = await readFile(file);
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : '';
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : 'cannot be read';
    return refused([{ line: null, col: null, path: '(file)', message: `${why}: ${file}` }]);
  }
  // Bytes that are no text are never handed to the YAML parser, whose every complaint would quote them.
  const binary = notText(bytes);
  if (binary) return refused([binary]);
  return { ...parseRegistry(bytes.toString('utf8'), file, env), digest: registryDigest(bytes) };
}
