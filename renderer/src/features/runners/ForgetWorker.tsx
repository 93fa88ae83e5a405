import { useAction } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';

/**
 * Forgets a lost worker: it leaves this list and the health check. The host refuses while a running job
 * is still leased to it, and says so; its jobs are taken back once their leases expire.
 */
export function ForgetWorker({ id, onForgotten }: { id: string; onForgotten(): void }) {
  const forget = useAction('workers.forget');
  return (
    <button
      type="button"
      className="button-small"
      disabled={forget.isPending}
      aria-label={`Forget lost worker ${id}`}
      onClick={() =>
        forget.mutate(
          { id },
          {
            onSuccess() {
              notify('ok', `Worker ${id} forgotten.`);
              onForgotten();
            },
            onError: (e) => notify('bad', errorMessage(e)),
          },
        )
      }
    >
      Forget
    </button>
  );
}
