import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CallInput } from '../../../../shared/contract.ts';
import { ControlState } from '../../../../shared/domain.ts';
import { callKey, useCall } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { useClient } from '../../lib/clientContext.ts';
import { notify } from '../../lib/notices.ts';

/** The control state; stats ticks and control events keep it current, so it never polls. */
export function useControlState() {
  return useCall('control.get', {}, { staleTime: 30_000 });
}

type ControlCall = 'control.emergencyStop' | 'control.resume' | 'control.safeMode' | 'control.pauseQueue';

/**
 * A control write whose answer (the new state) goes straight into the cache: shown at once, not on the next
 * tick. Without `done` there is no notice: the emergency stop's banner shows the result and the live
 * announcements say it, once, for every console watching the store.
 */
export function useControlAction<N extends ControlCall>(name: N, done?: (state: ControlState) => string) {
  const client = useClient();
  const queryClient = useQueryClient();
  const action = useMutation<ControlState, Error, CallInput<N>>({
    // Every control call answers with the control state; parsing says so to the type checker too.
    mutationFn: async (input) => ControlState.parse(await client.call(name, input)),
    onSuccess(state) {
      queryClient.setQueryData(callKey('control.get', {}), state);
      void queryClient.invalidateQueries({ queryKey: ['overview.stats'] });
      void queryClient.invalidateQueries({ queryKey: ['audit.list'] });
      if (done) notify('info', done(state));
    },
    onError(error) {
      notify('bad', errorMessage(error));
    },
  });
  return {
    pending: action.isPending,
    run: (input: CallInput<N>) => action.mutate(input),
  };
}
