import type { HttpRunnerConfig } from '../../../shared/registry.ts';
import { probeConnectivity } from '../../runners/connectivity.ts';
import { checkToken } from '../../runners/tokenCheck.ts';
import type { ApiContext } from '../context.ts';
import { ApiFailure, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';

function httpConfig(ctx: ApiContext, name: string): HttpRunnerConfig {
  const services = ctx.registry.registry.services;
  const service = ctx.registry.service(name);
  if (!service) throw notFound(`service ${name} is not in the registry (known: ${services.map((s) => s.name).join(', ') || 'none'})`);
  if (service.execution_type !== 'http') {
    throw new ApiFailure('invalid_input', `${name} is a ${service.execution_type} service: only HTTP services have a base_url and a credential to test (opsdeck runners probes every runner kind)`);
  }
  return service.runner_config;
}

/** The HTTP services to probe: the one named, or every HTTP service of the registry. */
function httpServices(ctx: ApiContext, name: string | undefined): Array<{ name: string | null; config: Pick<HttpRunnerConfig, 'base_url'> }> {
  const services = ctx.registry.registry.services;
  if (name === undefined) {
    return services.flatMap((s) => (s.execution_type === 'http' ? [{ name: s.name, config: s.runner_config }] : []));
  }
  return [{ name, config: httpConfig(ctx, name) }];
}

export const connectivity: Handlers<'runners.connectivity' | 'runners.validateToken'> = {
  'runners.connectivity': async ({ service, url }, ctx) => {
    const targets = url === undefined ? httpServices(ctx, service) : [{ name: null, config: { base_url: url } }];
    const services = await Promise.all(
      targets.map(async ({ name, config }) => {
        const steps = await probeConnectivity(config.base_url);
        return { service: name, base_url: config.base_url, ok: steps.every((s) => s.ok) && steps.some((s) => s.step === 'http'), steps };
      }),
    );
    return { services };
  },
  'runners.validateToken': async ({ service }, ctx) => {
    const config = httpConfig(ctx, service);
    return checkToken(service, config, ctx.env);
  },
};
