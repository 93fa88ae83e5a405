import type { ExecutionType } from '../../../shared/domain.ts';
import { createRunners } from '../../runners/registry.ts';
import type { Runner } from '../../runners/runner.ts';

/**
 * Every built-in runner, the probe of `kind` answered by `probe` (given the real runner, to ask it when it
 * will); its jobs run as the real runner runs them.
 */
export function runnersProbing(
  kind: ExecutionType,
  probe: (real: Runner, ...args: Parameters<Runner['probe']>) => ReturnType<Runner['probe']>,
): Map<ExecutionType, Runner> {
  const runners = createRunners({ killGraceMs: 200 });
  const real = runners.get(kind);
  if (!real) throw new Error(`no ${kind} runner`);
  runners.set(kind, { kind, run: (request) => real.run(request), probe: (...args) => probe(real, ...args) });
  return runners;
}

/**
 * Every built-in runner, the probe of `kind` first waiting until the test lets it go: a Docker daemon or an
 * AWS credential lookup that takes its time to answer, for as long as the test needs (a real hung daemon
 * gives up after 3 s). Its jobs run as the real runner runs them.
 */
export function heldProbe(kind: ExecutionType) {
  let release = Promise.withResolvers<undefined>();
  let asked = 0;
  const runners = runnersProbing(kind, async (real, services, env, checkedIn) => {
    asked++;
    await release.promise;
    return real.probe(services, env, checkedIn);
  });
  return {
    runners,
    /** How many times the probe was asked. */
    asked: () => asked,
    /** Lets the probes waiting now answer, and every later one at once. */
    answer: () => release.resolve(undefined),
    /** Lets the probes waiting now answer; later ones wait again. */
    hold: () => {
      release.resolve(undefined);
      release = Promise.withResolvers<undefined>();
    },
  };
}
