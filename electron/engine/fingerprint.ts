import { createHash } from 'node:crypto';

/**
 * Folds what varies between occurrences of one failure (ids, numbers, paths, quoted values, addresses,
 * times) into placeholders, so the same failure reads the same every time. Order matters: wider shapes
 * (URLs, timestamps, uuids) are folded before the numbers inside them would be.
 */
const FOLDS: Array<[RegExp, string]> = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, '<url>'],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<time>'],
  [/\b\d{4}-\d{2}-\d{2}\b/g, '<date>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/"(?:[^"\\]|\\.)*"/g, '<str>'],
  [/'(?:[^'\\\n]|\\.)*'/g, '<str>'],
  [/`[^`\n]*`/g, '<str>'],
  [/(?:^|(?<=[\s(=:,[]))(?:~|\.{1,2})?(?:\/[\w.@%+-]+)+\/?/g, '<path>'],
  [/\b[a-z]:\\(?:[\w.@%+ -]+\\?)+/gi, '<path>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<host>'],
  [/\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|dev|local|internal|cloud|aws|amazonaws)(?::\d+)?\b/gi, '<host>'],
  [/\blocalhost(?::\d+)?\b/gi, '<host>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\b[a-z]+[_-]?(?=[a-z0-9]*\d)[a-z0-9]{6,}\b/gi, '<id>'],
  [/\d+(?:\.\d+)*/g, '<n>'],
];

export function normalizeError(message: string): string {
  let text = message;
  for (const [pattern, replacement] of FOLDS) text = text.replace(pattern, replacement);
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** A short, stable name for "this failure of this service": what the dead-letter queue groups by. */
export function fingerprint(message: string, service: string, errorClass: string): string {
  return createHash('sha256')
    .update(`${service}\u0000${errorClass}\u0000${normalizeError(message)}`)
    .digest('hex')
    .slice(0, 16);
}
