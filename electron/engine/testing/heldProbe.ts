import type { ExecutionType } from '../../../shared/domain.ts';
import { createRunners } from '../../runners/registry.ts';
import type { Runner } from '../../runners/runner.ts';

/**
 * Every built-in runner, the probe of `kind` first waiting until the test lets it go: a Docker daemon or an
 * AWS credential lookup that takes its time to answer, for as long as the test needs (a real hung daemon
 * gives up after 3 s). Its jobs run as the real runner runs them.
 */
export function heldProbe(kind: ExecutionType) {
  const runners = createRunners({ killGraceMs: 200 });
  const real = runners.get(kind);
  if (!real) throw new Error(`no ${kind} runner`);
  let release = Promise.withResolvers<undefined>();
  let asked = 0;
  const held: Runner = {
    kind,
    run: (request) => real.run(request),
    probe: async (services, env, checkedIn) => {
      asked++;
      await release.promise;
      return real.probe(services, env, checkedIn);
    },
  };
  runners.set(kind, held);
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
