import { effectiveTimeout, type ServiceConfig } from '../../../shared/registry.ts';
import { probeConnectivity, probeTimeout, type ServiceCall } from '../../runners/connectivity.ts';
import { safeUrl } from '../../runners/httpCall.ts';
import { checkToken } from '../../runners/tokenCheck.ts';
import { checkedIn } from '../probes.ts';
import { serviceEvidence } from '../serviceEvidence.ts';
import type { ApiContext } from '../context.ts';
import { ApiFailure, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { notInRegistry } from '../noRegistry.ts';

type HttpService = Extract<ServiceConfig, { execution_type: 'http' }>;

function httpService(ctx: ApiContext, name: string): HttpService {
  const services = ctx.registry.registry.services;
  const service = ctx.registry.service(name);
  if (!service) throw notFound(notInRegistry(ctx, `service ${name}`, services.map((s) => s.name), name));
  if (service.execution_type !== 'http') {
    throw new ApiFailure('invalid_input', `${name} is a ${service.execution_type} service: only HTTP services have a base_url and a credential to test (${ctx.words.call('runners.list')} probes every runner kind)`);
  }
  return service;
}

/** A service's HTTP target to probe, with its jobs' call and per-attempt timeout; a URL given alone has neither. */
interface ProbeTarget {
  name: string | null;
  baseUrl: string;
  call?: ServiceCall;
  timeoutS: number | null;
}

/** The HTTP services to probe: the one named, or every HTTP service of the registry. */
function httpServices(ctx: ApiContext, name: string | undefined): ProbeTarget[] {
  const target = (service: HttpService): ProbeTarget => ({
    name: service.name,
    baseUrl: service.runner_config.base_url,
    call: {
      method: service.runner_config.method,
      path: service.runner_config.path,
      sendsCredential: service.runner_config.auth_type !== 'none',
      validateToken: ctx.words.call('runners.validateToken', { service: service.name }),
      resetBreaker: ctx.words.resetBreaker(service.name),
      maxRetryAfterS: service.runner_config.max_retry_after,
    },
    timeoutS: effectiveTimeout(service),
  });
  if (name !== undefined) return [target(httpService(ctx, name))];
  return ctx.registry.registry.services.flatMap((s) => (s.execution_type === 'http' ? [target(s)] : []));
}

export const connectivity: Handlers<'runners.connectivity' | 'runners.validateToken'> = {
  'runners.connectivity': async ({ service, url }, ctx) => {
    const targets = url === undefined ? httpServices(ctx, service) : [{ name: null, baseUrl: url, timeoutS: null }];
    const services = await Promise.all(
      targets.map(async ({ name, baseUrl, call, timeoutS }) => {
        const timeout = probeTimeout(timeoutS);
        const probed = await probeConnectivity(baseUrl, timeout.seconds * 1000, call);
        // Where the check did not send their call, how the jobs fare is for the store to say.
        const evidence = name !== null && probed.jobs_call !== null ? await serviceEvidence(ctx, name) : null;
        const steps = probed.steps;
        const ok = steps.every((s) => s.ok) && steps.some((s) => s.step === 'http');
        return {
          service: name,
          base_url: safeUrl(new URL(baseUrl)),
          url: probed.url,
          method: probed.method,
          jobs_call: probed.jobs_call,
          timeout_s: timeout.seconds,
          timeout_from: timeout.from,
          ok,
          warning: ok && steps.some((s) => s.warning === true),
          inconclusive: ok && steps.some((s) => s.inconclusive === true),
          steps,
          evidence,
        };
      }),
    );
    return { services };
  },
  'runners.validateToken': async ({ service }, ctx) => {
    const http = httpService(ctx, service);
    return checkToken(service, http.runner_config, ctx.env, checkedIn(ctx), ctx.words.call('runners.connectivity', { service }), probeTimeout(effectiveTimeout(http)).seconds * 1000);
  },
};
