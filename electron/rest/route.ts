import type { z } from 'zod';
import type { CallName } from '../../shared/contract.ts';
import type { ApiContext } from '../api/context.ts';
import { describedIssues, issuesSummary, unknownFieldMessage } from '../api/inputIssues.ts';
import type { RestErrorCode } from './errors.ts';

/** What a request brings a route: path parameters, the query string, and the JSON body (an object, or {}). */
export interface RouteArgs {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * One REST endpoint: which contract call it runs, whether it needs an operate key, and how the request
 * becomes the call's input. The call's own schema validates that input in dispatch, as for every host;
 * the route's query and body schemas read the URL and document the endpoint.
 */
export interface Route {
  method: 'GET' | 'POST';
  /** With `{name}` for each path parameter, as OpenAPI writes it. */
  path: string;
  call: CallName;
  /** Changes state: a read key may not, and the state may refuse it (409). */
  write: boolean;
  /**
   * Why only an operate key may make this request although it changes nothing: it shows the host's
   * configuration, or uses a service's credential. Null: any key may read it.
   */
  operateOnly: string | null;
  summary: string;
  query: z.ZodObject | null;
  body: z.ZodType | null;
  input(args: RouteArgs): unknown;
  /** The status of a success (200 unless said). */
  status?(result: unknown): number;
  /** Refuses a success that only a mistaken request gets (an empty list for a queue nothing uses), by throwing a RouteFailure. */
  check?(result: unknown, input: unknown, ctx: ApiContext): Promise<void>;
  /**
   * A sentence added to a success as `note`, for a request that reads as another system's (runbook 004's failed
   * executions, which are workflow runs): what it likely meant instead. `doc` describes the field in the OpenAPI
   * document; `of` gives the sentence, or null.
   */
  note?: { doc: string; of(input: unknown, ctx: ApiContext): Promise<string | null> };
}

/** A request a route refuses before any call runs: a bad query parameter, an id that cannot exist. */
export class RouteFailure extends Error {
  readonly code: RestErrorCode;
  readonly issues: Array<{ path: string; message: string }> | undefined;

  constructor(code: RestErrorCode, message: string, issues?: Array<{ path: string; message: string }>) {
    super(message);
    this.name = 'RouteFailure';
    this.code = code;
    this.issues = issues;
  }
}

function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].join('.');
}

/** Parses the query with its schema; a bad or unknown parameter is a 422 naming it. */
export function parseQuery<Q extends z.ZodObject>(schema: Q, query: Record<string, string>): z.output<Q> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const known = Object.keys(schema.shape);
  const issues = parsed.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: `query.${key}`, message: unknownFieldMessage(key, known, 'parameter') }))
      : [{ path: issuePath('query', i.path), message: i.message }],
  );
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new RouteFailure('invalid_input', `invalid query: ${first ? `${first.path}: ${first.message}` : 'not understood'}${more}`, issues);
}

/**
 * Refuses a query string on an endpoint that reads none: ignored, `POST /v1/dlq/retry?dry_run=true` would
 * retry for real, and `?service=` on a list would answer for every service.
 */
export function refuseQuery(method: Route['method'], query: Record<string, string>): void {
  const names = Object.keys(query);
  if (names.length === 0) return;
  const message = (name: string) =>
    method === 'POST' ? `not a parameter of this endpoint: a POST takes its fields in the JSON body, as {"${name}": …}` : 'not a parameter of this endpoint, which takes none';
  const issues = names.map((name) => ({ path: `query.${name}`, message: message(name) }));
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new RouteFailure('invalid_input', `invalid query: ${first?.path}: ${first?.message}${more}`, issues);
}

/** Reads a body the route takes apart itself (rather than pass it whole to the call): unknown keys named as the call's are. */
export function parseBody<B extends z.ZodObject>(schema: B, body: Record<string, unknown>): z.output<B> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = describedIssues(schema, parsed.error, body);
  throw new RouteFailure('invalid_input', `invalid body: ${issuesSummary(issues)}`, issues);
}

/** Path parameters other than the body may set: a body naming one too is refused rather than ignored. */
export function withPath(body: Record<string, unknown>, fromPath: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(fromPath)) {
    if (Object.hasOwn(body, key)) throw new RouteFailure('invalid_input', `${key} comes from the path; leave it out of the body`, [{ path: key, message: 'given by the path' }]);
  }
  return { ...body, ...fromPath };
}
