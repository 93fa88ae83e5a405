import type { Command } from '../command.ts';
import { alerts } from './alerts.ts';
import { api } from './api.ts';
import { apiKey } from './apiKey.ts';
import { audit } from './audit.ts';
import { breaker } from './breaker.ts';
import { validateConfig } from './config.ts';
import { testConnectivity, validateToken } from './connectivity.ts';
import { emergencyStop, pause, resume, safeMode, unpause } from './control.ts';
import { diagnoseCommand, supportBundle } from './diagnose.ts';
import { dlq } from './dlq.ts';
import { enqueue } from './enqueue.ts';
import { errors } from './errors.ts';
import { runners, workers } from './fleet.ts';
import { healthCheck } from './health.ts';
import { cancel, fail, job, jobs, retry } from './jobs.ts';
import { logs } from './logs.ts';
import { migrate } from './migrate.ts';
import { performanceCommand } from './performance.ts';
import { prune } from './prune.ts';
import { rateLimit } from './rateLimit.ts';
import { schedule } from './schedule.ts';
import { serve } from './serve.ts';
import { services } from './services.ts';
import { status } from './status.ts';
import { demo, worker } from './worker.ts';
import { workflow } from './workflow.ts';

/** Every command, in the order --help lists them. */
export const COMMANDS: Command[] = [
  status,
  healthCheck,
  runners,
  testConnectivity,
  validateToken,
  workers,
  services,
  jobs,
  job,
  enqueue,
  retry,
  cancel,
  fail,
  errors,
  performanceCommand,
  dlq,
  workflow,
  prune,
  breaker,
  rateLimit,
  schedule,
  alerts,
  emergencyStop,
  resume,
  safeMode,
  pause,
  unpause,
  validateConfig,
  audit,
  diagnoseCommand,
  supportBundle,
  logs,
  migrate,
  worker,
  serve,
  api,
  apiKey,
  demo,
];
