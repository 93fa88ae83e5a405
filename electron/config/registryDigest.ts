import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { MAX_REGISTRY_BYTES } from './notRegistry.ts';

/**
 * Which registry a worker runs, as one value: the sha256 of the bytes it read. The bytes, not the parsed
 * content: `git checkout registry.yaml` and an edit both change the file, and the file is what an operator
 * compares a worker against (health-check registry).
 */
export function registryDigest(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The digest of the file as it is now; null when it cannot be read or is too large to be a registry. */
export async function fileDigest(file: string): Promise<string | null> {
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > MAX_REGISTRY_BYTES) return null;
    return registryDigest(await readFile(file));
  } catch {
    return null;
  }
}
