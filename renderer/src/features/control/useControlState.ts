import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CallInput } from '../../../../shared/contract.ts';
import type { ControlState } from '../../../../shared/domain.ts';
import { ControlChanged } from '../../../../shared/views.ts';
import { callKey, useCall } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { useClient } from '../../lib/clientContext.ts';
import { notify } from '../../lib/notices.ts';
import { controlNotice } from './controlNotice.ts';

/** The control state; stats ticks and control events keep it current, so it never polls. */
export function useControlState() {
  return useCall('control.get', {}, { staleTime: 30_000 });
}

type ControlCall = 'control.emergencyStop' | 'control.resume' | 'control.safeMode' | 'control.pauseQueue';

/**
 * A control write whose answer (the new state) goes straight into the cache: shown at once, not on the next
 * tick. Its notice is `controlNotice`'s: `done`'s words for a change, from the new state and what was
 * asked; none without `done` (the emergency stop's banner shows it and the live announcements say it, once,
 * for every console watching the store); and always one for a call that changed nothing.
 */
export function useControlAction<N extends ControlCall>(name: N, done?: (state: ControlState, input: CallInput<N>) => string) {
  const client = useClient();
  const queryClient = useQueryClient();
  const action = useMutation<ControlChanged, Error, CallInput<N>>({
    // Every control call answers with the control state and whether it changed; parsing says so to the type checker too.
    mutationFn: async (input) => ControlChanged.parse(await client.call(name, input)),
    onSuccess(result, input) {
      const { changed: _changed, note: _note, ...state } = result;
      queryClient.setQueryData(callKey('control.get', {}), state);
      void queryClient.invalidateQueries({ queryKey: ['overview.stats'] });
      void queryClient.invalidateQueries({ queryKey: ['audit.list'] });
      const notice = controlNotice(result, done && ((changed) => done(changed, input)));
      if (notice !== null) notify('info', notice);
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
