import { z } from 'zod';
import { BreakerMode, BreakerState } from '../../../shared/domain.ts';

/** A service and queue a dead-letter retry's statement sends jobs back to, or its dry run's would. */
export const Lane = z.object({ service_name: z.string(), queue: z.string() });

/** Of the jobs it sends back, how many are of one service with a breaker row, and that breaker as the statement read it. */
export const ServiceJobs = z.object({ service_name: z.string(), jobs: z.number().int(), mode: BreakerMode, state: BreakerState });
