import { dirname } from 'node:path';
import type { LogsView } from '../../../shared/contract.ts';
import type { ApiContext } from '../context.ts';
import { conflict } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';

function logsView(ctx: ApiContext): LogsView {
  const file = ctx.settings.logFile ?? null;
  return { directory: file === null ? null : dirname(file), file, can_open: file !== null && ctx.settings.openLogFolder !== undefined };
}

export const logs: Handlers<'settings.logs' | 'settings.openLogFolder'> = {
  'settings.logs': async (_input, ctx) => logsView(ctx),

  'settings.openLogFolder': async (_input, ctx) => {
    const view = logsView(ctx);
    if (!ctx.settings.openLogFolder || view.directory === null) {
      throw conflict(view.directory === null ? 'this host writes no log file: its log is on the terminal it was started from' : `this host cannot open folders; the log is in ${view.directory}`);
    }
    await ctx.settings.openLogFolder();
    return view;
  },
};
