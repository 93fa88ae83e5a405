import { useQueryClient } from '@tanstack/react-query';
import { useAction } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';

/** First run: an empty store and no registry. One button makes every page come alive, offline. */
export function WelcomePanel() {
  const queryClient = useQueryClient();
  // Said from the mutation, not from mutate's own callbacks: the panel leaves as soon as the store holds the
  // demo's jobs, which the live feed may tell the Overview before the answer comes, and a callback given to
  // mutate never runs once its component has gone.
  const demo = useAction('demo.start', {
    onSuccess(result) {
      notify('ok', `Demo loaded: ${result.enqueued} jobs enqueued from ${result.registry_path}.`);
      // Every local_api job of the burst fails against whatever holds the port: said as a failure, not in passing.
      if (result.endpoint_problem !== null) notify('bad', `The demo's local endpoint did not start: ${result.endpoint_problem}.`);
      void queryClient.invalidateQueries();
    },
  });
  return (
    <section className="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title">Welcome to opsdeck</h2>
      <p>
        opsdeck runs and watches background jobs (shell, HTTP, Docker and serverless) against a local SQLite file or a shared
        PostgreSQL database. From here you see how the queues stand, triage dead letters, open or close circuit breakers, and stop
        everything with one click.
      </p>
      <p>This store is empty and no service registry is loaded. Load the demo to see every page with live data, offline, in seconds.</p>
      <div className="welcome-actions">
        <button
          type="button"
          className="button-primary"
          disabled={demo.isPending}
          onClick={() =>
            demo.mutate(
              {},
              {
                onError(error) {
                  notify('bad', errorMessage(error));
                },
              },
            )
          }
        >
          {demo.isPending ? 'Loading demo…' : 'Load demo'}
        </button>
        <a href="#/settings">or load your own registry in Settings</a>
      </div>
    </section>
  );
}
