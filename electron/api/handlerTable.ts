import type { CallName } from '../../shared/contract.ts';
import type { Handlers } from './handlerTypes.ts';
import { alerts } from './handlers/alerts.ts';
import { apiKeys } from './handlers/apiKeys.ts';
import { audit } from './handlers/audit.ts';
import { breakers } from './handlers/breakers.ts';
import { connectivity } from './handlers/connectivity.ts';
import { control } from './handlers/control.ts';
import { demo } from './handlers/demo.ts';
import { dlq } from './handlers/dlq.ts';
import { failures } from './handlers/failures.ts';
import { health } from './handlers/health.ts';
import { jobFail } from './handlers/jobFail.ts';
import { jobWaiting } from './handlers/jobWaiting.ts';
import { jobs } from './handlers/jobs.ts';
import { logs } from './handlers/logs.ts';
import { metrics } from './handlers/metrics.ts';
import { overview } from './handlers/overview.ts';
import { rateLimits } from './handlers/rateLimits.ts';
import { registry } from './handlers/registry.ts';
import { retention } from './handlers/retention.ts';
import { runners } from './handlers/runners.ts';
import { schedules } from './handlers/schedules.ts';
import { settings } from './handlers/settings.ts';
import { support } from './handlers/support.ts';
import { workers } from './handlers/workers.ts';
import { workflows } from './handlers/workflows.ts';

/** Every contract call's handler; the type makes a missing or misnamed one a compile error. */
export const handlerTable: Handlers<CallName> = {
  ...overview,
  ...jobs,
  ...jobFail,
  ...jobWaiting,
  ...dlq,
  ...failures,
  ...metrics,
  ...breakers,
  ...control,
  ...runners,
  ...connectivity,
  ...workers,
  ...registry,
  ...settings,
  ...retention,
  ...audit,
  ...health,
  ...support,
  ...demo,
  ...apiKeys,
  ...logs,
  ...schedules,
  ...workflows,
  ...alerts,
  ...rateLimits,
};
