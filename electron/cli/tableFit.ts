import { flag, type OptionSpec } from './args.ts';
import type { Invocation } from './command.ts';
import type { TableFit } from './table.ts';

/** The option of every command whose table has an error column. */
export const WIDE_OPTION: OptionSpec = {
  wide: { type: 'boolean', description: 'cut no cell: errors whole however long (else they fit the terminal, or $COLUMNS when piped)' },
};

export function tableFit(inv: Invocation): TableFit {
  return { width: inv.io.columns, wide: flag(inv.values, 'wide') };
}
