import type { z } from 'zod';
import { calls, isCallName, type ApiResponse, type CallName, type CallOutput, type ParsedInput } from '../../shared/contract.ts';
import { inputTextProblem } from '../../shared/inputText.ts';
import { invalidInputMessage } from '../../shared/invalidInput.ts';
import { StoreError, StoreInputError } from '../store/errors.ts';
import type { ApiContext } from './context.ts';
import { ApiFailure, storeOutage } from './errors.ts';
import { blindStoreAction, storeFailureText } from './storeCheck.ts';
import { describedIssues, issuesSummary } from './inputIssues.ts';
import type { Handler } from './handlerTypes.ts';
import { handlerTable } from './handlerTable.ts';

function fail(code: ApiFailure['code'], message: string, issues?: ApiFailure['issues']): ApiResponse {
  return { ok: false, error: issues ? { code, message, issues } : { code, message } };
}

function describeIssues(name: string, schema: z.core.$ZodType, error: z.ZodError, input: unknown): ApiResponse {
  const issues = describedIssues(schema, error, input);
  return fail('invalid_input', invalidInputMessage(name, issuesSummary(issues)), issues);
}

/** A typed pair of schema and handler for one call, so the parsed input reaches the handler with its type. */
async function run<N extends CallName>(
  schema: z.ZodType<ParsedInput<N>>,
  handler: Handler<N>,
  name: N,
  raw: unknown,
  ctx: ApiContext,
): Promise<ApiResponse> {
  const text = inputTextProblem(raw);
  if (text) return fail('invalid_input', invalidInputMessage(name, `${text.path ? `${text.path}: ` : ''}${text.message}`), [text]);
  // A missing body means "no arguments", not null.
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) return describeIssues(name, schema, parsed.error, raw ?? {});
  const result: CallOutput<N> = await handler(parsed.data, ctx);
  return { ok: true, result };
}

/**
 * The one way into the handlers for every host: validates the input with the contract's schema (a bad
 * input never reaches a handler), runs the handler, and turns every failure into an error envelope.
 * Never throws.
 */
function blindOutage(ctx: ApiContext, error: StoreError): { message: string; action?: string } {
  const action = blindStoreAction(error);
  return { message: storeFailureText(ctx, error), ...(action === undefined ? {} : { action }) };
}

export async function dispatch(name: string, rawInput: unknown, ctx: ApiContext): Promise<ApiResponse> {
  if (!isCallName(name)) return fail('not_found', `unknown call ${JSON.stringify(name.slice(0, 100))}`);
  try {
    return await runCall(name, rawInput, ctx);
  } catch (error) {
    if (error instanceof ApiFailure) return fail(error.code, error.message, error.issues);
    if (error instanceof StoreError) {
      // The host's record of its store's outages learns of one the moment a call meets it.
      ctx.storeWatch?.failed(error);
      // A caller blind to the host learns the failure's kind, not the server, user or file it names.
      return { ok: false, error: { code: 'unavailable', ...(ctx.hostHidden === undefined ? storeOutage(error) : blindOutage(ctx, error)) } };
    }
    if (error instanceof StoreInputError) return fail('invalid_input', error.message);
    // Unexpected: the caller gets a safe line, never the internals.
    return fail('internal', `${name} failed unexpectedly: ${safeMessage(error)}`);
  }
}

function safeMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*[\r\n]+\s*/g, ' ').slice(0, 300) || 'no detail';
}

function runCall(name: CallName, raw: unknown, ctx: ApiContext): Promise<ApiResponse> {
  return run(calls[name].input, handlerTable[name], name, raw, ctx);
}
