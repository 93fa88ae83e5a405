import type { WorkerRegistry } from './domain.ts';

/** A registry digest as people read it: its first 12 hex digits, as git shortens a commit. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 12);
}

/** "registry 3f2a9b7c1d2e loaded 2026-12-07T12:01:05.000Z": which registry, and since when (the reader's zone: timesInText). */
export function registryWords(registry: Pick<WorkerRegistry, 'digest' | 'loaded_at'>): string {
  return `registry ${shortDigest(registry.digest)} loaded ${registry.loaded_at}`;
}
