import type { CallName, CallOutput, ParsedInput } from '../../shared/contract.ts';
import type { ApiContext } from './context.ts';

/** One contract call's implementation: its input already validated by the contract's schema. */
export type Handler<N extends CallName> = (input: ParsedInput<N>, ctx: ApiContext) => Promise<CallOutput<N>>;

export type Handlers<K extends CallName> = { [N in K]: Handler<N> };
