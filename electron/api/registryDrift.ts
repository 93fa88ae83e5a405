import os from 'node:os';
import { realpath } from 'node:fs/promises';
import type { HealthCheck, RegistryDrift, WorkerInfo } from '../../shared/domain.ts';
import { registryWords, shortDigest } from '../../shared/workerRegistry.ts';
import { fileDigest } from '../config/registryDigest.ts';
import type { ApiContext } from './context.ts';

type DriftHost = Pick<ApiContext, 'registry' | 'hostHidden'>;

/** Both paths name one file on this machine (a link, another spelling); false when either cannot be resolved. */
async function sameFile(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [ra, rb] = await Promise.all([realpath(a).catch(() => null), realpath(b).catch(() => null)]);
  return ra !== null && ra === rb;
}

/**
 * Live workers whose registry is not the file this process reads now, each in a sentence. A worker loads
 * the file at start and on SIGHUP only: a file edited or checked out since, with no SIGHUP, leaves the
 * worker refusing by the old registry while validate-config and this process's own reading say the new one
 * is fine. Certain when the worker read this very file (same host, same file; or the same path, which
 * another host may hold a copy of); a worker that read another path is compared all the same, and said
 * as what it is: a different file, perhaps on purpose. None when this host reads no file.
 */
export async function registryDrift(ctx: DriftHost, fleet: readonly WorkerInfo[]): Promise<RegistryDrift[]> {
  const file = ctx.registry.lastFile ?? ctx.registry.path;
  if (file === null) return [];
  const digest = await fileDigest(file);
  if (digest === null) return [];
  // A caller blind to the host learns that a file differs, not where files are (registryCheck's rule).
  const hidden = ctx.hostHidden !== undefined;
  const theFile = hidden ? 'the registry file' : `the file ${file}`;
  const here = os.hostname();
  const lines: RegistryDrift[] = [];
  for (const w of fleet) {
    const reg = w.registry;
    if (w.lost || w.state === 'stopped' || reg === null || reg.digest === digest) continue;
    const runs = `worker ${w.id} runs ${registryWords(reg)}`;
    const reload = `send it SIGHUP to reload (kill -HUP ${w.pid} on ${w.host})`;
    if (reg.path !== null && w.host === here && (await sameFile(reg.path, file))) {
      lines.push({ worker_id: w.id, detail: `${runs}; ${theFile} is now ${shortDigest(digest)}: ${reload}` });
    } else if (reg.path === file) {
      lines.push({ worker_id: w.id, detail: `${runs} from ${hidden ? 'a file of the same path' : reg.path} on ${w.host}; that path here is now ${shortDigest(digest)}: if ${w.host}'s copy was changed too, ${reload}` });
    } else {
      const from = reg.path === null ? 'from text, not a file' : `from ${hidden ? 'another file' : reg.path} on ${w.host}`;
      lines.push({ worker_id: w.id, detail: `${runs} ${from}, not ${theFile} (${shortDigest(digest)}) read here: a different file, perhaps on purpose; if it should be the same registry, update it there and ${reload}` });
    }
  }
  return lines;
}

/** The registry check with what the workers run laid over it: a difference is a warning, never a failure. */
export function withDrift(check: HealthCheck, drift: readonly RegistryDrift[]): HealthCheck {
  if (drift.length === 0) return check;
  const detail = `${check.detail}; ${drift.map((d) => d.detail).join('; ')}`;
  return check.ok ? { ...check, ok: true, warning: true, detail } : { ...check, detail };
}
