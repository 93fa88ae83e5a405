import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CallInput } from '../../../../shared/contract.ts';
import type { ControlState } from '../../../../shared/domain.ts';
import { EmergencyStopped } from '../../../../shared/views.ts';
import type { z } from 'zod';
import { callKey, useCall } from '../../lib/calls.ts';
import { useClient } from '../../lib/clientContext.ts';
import { notify } from '../../lib/notices.ts';
import { controlNotice } from './controlNotice.ts';
import { controlFailure } from './controlFailure.ts';
import type { ControlCall } from '../../../../shared/controlNotTaken.ts';

/** The control state; stats ticks and control events keep it current, so it never polls. */
export function useControlState() {
  return useCall('control.get', {}, { staleTime: 30_000 });
}

/** Every control call's answer: the control state and whether it changed; the emergency stop's adds what it stopped. */
const ControlAnswer = EmergencyStopped.partial({ stopped: true });
type ControlAnswer = z.infer<typeof ControlAnswer>;

/**
 * A control write whose answer (the new state) goes straight into the cache: shown at once, not on the next
 * tick. Its notice is `controlNotice`'s: what an emergency stop asked to stop and held; `done`'s words for
 * another change, from the new state and what was asked; none without `done` (the banners show it and the
 * live announcements say it, once, for every console watching the store); and always one for a call that
 * changed nothing, or that the store did not take (controlFailure).
 */
export function useControlAction<N extends ControlCall>(name: N, done?: (state: ControlState, input: CallInput<N>) => string) {
  const client = useClient();
  const queryClient = useQueryClient();
  const action = useMutation<ControlAnswer, Error, CallInput<N>>({
    // Parsing says what every control call answers to the type checker too.
    mutationFn: async (input) => ControlAnswer.parse(await client.call(name, input)),
    onSuccess(result, input) {
      const { changed: _changed, note: _note, stopped: _stopped, ...state } = result;
      queryClient.setQueryData(callKey('control.get', {}), state);
      void queryClient.invalidateQueries({ queryKey: ['overview.stats'] });
      void queryClient.invalidateQueries({ queryKey: ['audit.list'] });
      const notice = controlNotice(result, done && ((changed) => done(changed, input)));
      if (notice !== null) notify('info', notice);
    },
    onError(error, input) {
      const failure = controlFailure(name, input, error);
      notify('bad', failure.text, { sticky: failure.sticky });
    },
  });
  return {
    pending: action.isPending,
    run: (input: CallInput<N>) => action.mutate(input),
  };
}
