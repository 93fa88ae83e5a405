import type { HttpRunnerConfig } from '../../../shared/registry.ts';
import { probeConnectivity, type ServiceCall } from '../../runners/connectivity.ts';
import { checkToken } from '../../runners/tokenCheck.ts';
import type { ApiContext } from '../context.ts';
import { ApiFailure, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { notInRegistry } from '../noRegistry.ts';

function httpConfig(ctx: ApiContext, name: string): HttpRunnerConfig {
  const services = ctx.registry.registry.services;
  const service = ctx.registry.service(name);
  if (!service) throw notFound(notInRegistry(ctx, `service ${name}`, services.map((s) => s.name)));
  if (service.execution_type !== 'http') {
    throw new ApiFailure('invalid_input', `${name} is a ${service.execution_type} service: only HTTP services have a base_url and a credential to test (${ctx.words.call('runners.list')} probes every runner kind)`);
  }
  return service.runner_config;
}

/** The HTTP services to probe: the one named, or every HTTP service of the registry, with their jobs' call. */
function httpServices(ctx: ApiContext, name: string | undefined): Array<{ name: string | null; baseUrl: string; call?: ServiceCall }> {
  const services = ctx.registry.registry.services;
  const target = (service: string, config: HttpRunnerConfig) => ({ name: service, baseUrl: config.base_url, call: { method: config.method, path: config.path } });
  if (name === undefined) return services.flatMap((s) => (s.execution_type === 'http' ? [target(s.name, s.runner_config)] : []));
  return [target(name, httpConfig(ctx, name))];
}

export const connectivity: Handlers<'runners.connectivity' | 'runners.validateToken'> = {
  'runners.connectivity': async ({ service, url }, ctx) => {
    const targets = url === undefined ? httpServices(ctx, service) : [{ name: null, baseUrl: url }];
    const services = await Promise.all(
      targets.map(async ({ name, baseUrl, call }) => {
        const steps = await probeConnectivity(baseUrl, undefined, call);
        return { service: name, base_url: baseUrl, ok: steps.every((s) => s.ok) && steps.some((s) => s.step === 'http'), steps };
      }),
    );
    return { services };
  },
  'runners.validateToken': async ({ service }, ctx) => {
    const config = httpConfig(ctx, service);
    return checkToken(service, config, ctx.env);
  },
};
