import { listOnly, positionals, UsageError } from '../args.ts';
import { call, withRuntime, withRuntimeRegistryOptional } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { ago, paint, printJson, statusColor, when } from '../output.ts';
import { renderTable } from '../table.ts';

export const runners: Command = {
  name: 'runners',
  summary: 'runner kinds with their health probe and jobs in flight',
  usage: '',
  options: {},
  async run(inv) {
    positionals(inv, []);
    return withRuntime(inv, async ({ ctx }) => {
      const { runners: list } = await call(ctx, 'runners.list', {});
      if (inv.common.json) printJson(inv.io, { runners: list });
      else {
        inv.io.out(
          renderTable(
            [{ header: 'kind' }, { header: 'health' }, { header: 'in flight', align: 'right' }, { header: 'services', max: 40 }, { header: 'detail', max: 80 }],
            list.map((r) => [r.kind, r.healthy ? paint(inv.io, 'ok', 'green') : paint(inv.io, 'FAILING', 'red'), String(r.in_flight), r.services.join(', '), r.detail]),
          ),
        );
      }
      return 0;
    });
  },
};

function forget(inv: Invocation): Promise<number> {
  const [, id = ''] = positionals(inv, ['forget', 'ID']);
  // Like the list, forgetting a worker needs no registry: an operator cleaning up after an outage may have none.
  return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
    const { forgotten } = await call(ctx, 'workers.forget', { id });
    if (inv.common.json) printJson(inv.io, { forgotten });
    else inv.io.out(`worker ${forgotten.id} (${forgotten.host}, pid ${forgotten.pid}) forgotten: it leaves the list and health-check`);
    return 0;
  });
}

export const workers: Command = {
  name: 'workers',
  summary: 'workers sharing this store, with their heartbeats (lost ones marked); forget ID drops a lost or stopped one',
  usage: '[list] | forget ID',
  details: 'forget ID: a lost or stopped worker no running job is leased to any more leaves the list and health-check (audited).',
  options: {},
  async run(inv) {
    const sub = inv.positionals[0] ?? 'list';
    if (sub === 'forget') return forget(inv);
    if (sub !== 'list') throw new UsageError(`workers takes list or forget ID, not "${sub}"`);
    listOnly(inv);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const { workers: list } = await call(ctx, 'workers.list', {});
      if (inv.common.json) printJson(inv.io, { workers: list });
      else if (list.length === 0) inv.io.out('no workers have registered on this store');
      else {
        inv.io.out(
          renderTable(
            [{ header: 'worker', max: 50 }, { header: 'state' }, { header: 'host' }, { header: 'pid', align: 'right' }, { header: 'in flight', align: 'right' },
              { header: 'queues' }, { header: 'services', max: 40 }, { header: 'heartbeat' }, { header: 'started' }],
            list.map((w) => {
              const state = w.state === 'stopped' ? 'stopped' : w.lost ? 'lost' : w.state;
              return [w.id, paint(inv.io, state, statusColor(state)), w.host, String(w.pid), `${w.in_flight}/${w.concurrency}`, w.queues?.join(',') ?? 'all', w.services?.join(',') ?? 'not said', ago(w.last_heartbeat_at), when(w.started_at)];
            }),
          ),
        );
      }
      return 0;
    });
  },
};
