import { useMutation, useQuery, type UseQueryOptions } from '@tanstack/react-query';
import type { CallInput, CallName, CallOutput } from '../../../shared/contract.ts';
import { useClient } from './clientContext.ts';

/** One query key per call and input, so events can patch or invalidate exactly the affected data. */
export function callKey<N extends CallName>(name: N, input: CallInput<N>): readonly [N, CallInput<N>] {
  return [name, input] as const;
}

type QueryOptions<N extends CallName> = Omit<UseQueryOptions<CallOutput<N>, Error, CallOutput<N>, readonly [N, CallInput<N>]>, 'queryKey' | 'queryFn'>;

export function useCall<N extends CallName>(name: N, input: CallInput<N>, options?: QueryOptions<N>) {
  const client = useClient();
  return useQuery({
    queryKey: callKey(name, input),
    queryFn: () => client.call(name, input),
    ...options,
  });
}

/**
 * A write. Callers decide what to refresh from the result; events refresh the rest. `onSuccess` given here
 * runs even when the page was left meanwhile (one given to `mutate` does not): a download still happens.
 */
export function useAction<N extends CallName>(name: N, options: { onSuccess?: (result: CallOutput<N>) => void } = {}) {
  const client = useClient();
  return useMutation<CallOutput<N>, Error, CallInput<N>>({
    mutationFn: (input) => client.call(name, input),
    ...(options.onSuccess ? { onSuccess: options.onSuccess } : {}),
  });
}
