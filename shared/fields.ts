import { z } from 'zod';
import { firstControlCharacter } from './controlCharacters.ts';

/** The small field schemas call inputs share (shared/contract.ts, shared/views.ts). */
export const Empty = z.object({}).strict();
export const reason = z.string().trim().max(500).optional();
export const cursor = z.string().max(100).nullable().optional();
export const limit = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt);
/** A name, identifier or queue: no control characters, which a terminal would obey wherever it is shown. */
export const plainString = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((text, ctx) => {
      const found = firstControlCharacter(text);
      if (found) ctx.addIssue({ code: 'custom', message: `must not hold control characters: ${found.shown} at character ${found.at}` });
    });
export const name = plainString(200);
