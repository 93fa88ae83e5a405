import { z } from 'zod';

/**
 * A worker's name (`opsdeck worker --name watchdog`): what the runbooks call a worker (`health-check
 * worker:WATCHDOG`), where its generated id (`vm-9668-1942f8c8`) says nothing of its job. Several live
 * workers may share one: each still has its own id, the name followed by a random suffix
 * (`watchdog-1942f8c8`), and the name picks them all.
 */
export const WorkerName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,39}$/, 'a worker name is a letter, then letters, digits, _ . - (at most 40), e.g. watchdog or etl-2');
