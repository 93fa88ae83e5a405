/**
 * Docker image allowlist. A pattern is an exact reference (`python:3.11-slim`) or a repository with any
 * tag (`python:*`, `registry.example.com/team/app:*`). A bare name without a tag means `:latest`, as Docker
 * reads it, so `alpine` allows `alpine` and `alpine:latest` and nothing else.
 */
export function normalizeImage(ref: string): string {
  const lastSlash = ref.lastIndexOf('/');
  const hasTag = ref.slice(lastSlash + 1).includes(':') || ref.includes('@');
  return hasTag ? ref : `${ref}:latest`;
}

export function imageAllowed(image: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns || patterns.length === 0) return false;
  const wanted = normalizeImage(image);
  return patterns.some((pattern) => {
    if (pattern.endsWith(':*')) {
      const repo = pattern.slice(0, -2);
      return wanted.startsWith(`${repo}:`) || wanted.startsWith(`${repo}@`);
    }
    return normalizeImage(pattern) === wanted;
  });
}
