import type { Logger } from '../log/logger.ts';
import { dispatch } from './dispatch.ts';
import type { Runtime } from './runtime.ts';

/**
 * Loads the registry file again the way the console's Settings does (`registry.load`: the RegistryHolder,
 * audited), for a headless host told to by SIGHUP (`systemctl reload`). A file that does not load is
 * refused, its problems logged at error, and the registry in use stays: running jobs are not touched.
 * The engine declares the new services at its next heartbeat.
 */
export async function reloadRegistry(rt: Runtime, log: Logger): Promise<void> {
  const { ctx } = rt;
  const file = ctx.registry.path ?? rt.registryLoad?.path ?? null;
  if (file === null) {
    log.warn('SIGHUP: no registry file to reload; start with --registry FILE (or OPSDECK_REGISTRY)');
    return;
  }
  const before = ctx.registry.loadedAt;
  const response = await dispatch('registry.load', { path: file }, ctx);
  // Read from the holder too: an audit row the store did not take fails the call after the registry was
  // loaded, and the operator must hear which registry runs now.
  if (response.ok || ctx.registry.loadedAt !== before) {
    const services = ctx.registry.registry.services.length;
    log.info(`SIGHUP: registry reloaded from ${file}: ${services} service(s)`, { services });
    if (!response.ok) log.warn('SIGHUP: the reload is not in the audit log', { error: response.error.message });
    return;
  }
  const kept = ctx.registry.loadedAt === null ? 'no registry is in use' : `jobs keep running under the registry in use (${ctx.registry.registry.services.length} service(s))`;
  log.error(`SIGHUP: ${response.error.message}; ${kept}`);
  for (const issue of response.error.issues ?? []) log.error(issue.message);
}

/**
 * Whether a SIGHUP means the terminal this process runs in was closed, not `systemctl reload`: a process
 * started by hand reads its terminal, one under a supervisor does not. Its hangup stops it, drained.
 */
export function hangupIsTerminalClosing(): boolean {
  return process.stdin.isTTY === true;
}

/** Reloads the registry on each SIGHUP, one reload at a time; returns the undo. */
export function reloadOnHangup(rt: Runtime, log: Logger): () => void {
  let reloading: Promise<void> = Promise.resolve();
  const onHangup = () => {
    reloading = reloading.then(() =>
      reloadRegistry(rt, log).catch((error: unknown) => log.error('SIGHUP: the registry could not be reloaded', { error: error instanceof Error ? error.message : String(error) })),
    );
  };
  process.on('SIGHUP', onHangup);
  return () => {
    process.off('SIGHUP', onHangup);
  };
}
