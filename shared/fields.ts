import { z } from 'zod';

/** The small field schemas call inputs share (shared/contract.ts, shared/views.ts). */
export const Empty = z.object({}).strict();
export const reason = z.string().trim().max(500).optional();
export const cursor = z.string().max(100).nullable().optional();
export const limit = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt);
export const name = z.string().min(1).max(200);
