import { z } from 'zod';
import { ServiceEvidence } from './serviceEvidence.ts';

/**
 * One layer of the path to a service, as `opsdeck test-connectivity` checks it, timed: to the URL its jobs
 * GET, else to its base URL without its query (never the URL jobs that do not GET call: where the base URL is
 * that URL, the HTTP step sends nothing and is inconclusive); or to a URL given alone.
 */
export const ConnectivityStep = z.object({
  step: z.enum(['dns', 'tcp', 'tls', 'http']),
  ok: z.boolean(),
  /**
   * Passed, yet an answer its jobs fail on for now or may (a 429; a refusal of jobs that send no
   * credential; another non-2xx to their own GET; a path the runner refuses). A server error, or a
   * Retry-After past max_retry_after (rate_limited), is no pass: the step fails. Where the jobs' own call was
   * not tried, the step is inconclusive as well, which wins for the verdict and the exit status.
   */
  warning: z.boolean().optional(),
  /**
   * Passed, yet it says nothing of whether the jobs succeed: any answer but a failure of the base URL, asked in
   * place of jobs' POST, PUT, PATCH or DELETE or a path the runner refuses, which a check never sends (it
   * could do work upstream); or no request at all, where the base URL is the jobs' own URL. No pass either.
   */
  inconclusive: z.boolean().optional(),
  ms: z.number(),
  detail: z.string(),
});
export type ConnectivityStep = z.infer<typeof ConnectivityStep>;

/** Why a URL given to test is refused: not a URL at all, or one whose scheme an HTTP GET cannot test. */
function probeUrlProblem(input: unknown): string {
  if (input === undefined) return 'required: the http(s) URL to test, such as https://api.example.com';
  const text = typeof input === 'string' ? input : '';
  if (!URL.canParse(text)) return 'not a URL: write it whole, with its scheme, such as https://api.example.com';
  const { protocol } = new URL(text);
  if (protocol !== 'http:' && protocol !== 'https:') return `only an http:// or https:// URL can be tested, not ${protocol}`;
  return 'not a URL with a host to test, such as https://api.example.com';
}

/** A URL tested on its own (`test-connectivity --url`, the Runners page's URL to test): http or https only. */
export const ProbeUrl = z.url({ protocol: /^https?$/, error: (issue) => probeUrlProblem(issue.input) }).max(2048);

export const ServiceConnectivity = z.object({
  /** Null for a URL given on its own rather than a service's. */
  service: z.string().nullable(),
  /** Without its query or any password: what is shown may be pasted anywhere. */
  base_url: z.string(),
  /**
   * What the HTTP step GETs: the service's own URL when its jobs GET it, else its base URL (which is not
   * asked where it is their URL: the step says so); no query, no password.
   */
  url: z.string(),
  /**
   * Always GET: a check never sends another method, nor any request to the URL jobs that do not GET call,
   * trailing slash and query aside (a method-ignoring handler there would do their work).
   */
  method: z.literal('GET'),
  /** The jobs' call when the check did not send it, and why ("the jobs' POST /v1/chat was not tried: it could do work upstream"); null when it GET their URL as they do. */
  jobs_call: z.string().nullable(),
  /** How long each step waited at most: the service's own timeout, capped. */
  timeout_s: z.number(),
  /** Where that timeout came from, in words: "the service's", "the service's is 300s; a probe waits at most 10s". */
  timeout_from: z.string(),
  /** Every step passed: false too for an upstream answering a server error, which its jobs fail on. */
  ok: z.boolean(),
  /** Every step passed, yet one warns (ConnectivityStep.warning): the path is there, its jobs may fail all the same. */
  warning: z.boolean(),
  /**
   * Every step passed, yet the HTTP step could not tell whether its jobs succeed (ConnectivityStep.inconclusive):
   * the path is there; whether to reset its breaker is for its own evidence to say. `opsdeck test-connectivity`
   * exits 1, as it does when anything cannot be told.
   */
  inconclusive: z.boolean(),
  steps: z.array(ConnectivityStep),
  /**
   * Where the check did not send the jobs' own call (they do not GET, or their path is refused): their
   * breaker and recent failures from the store, which say how they fare. Null when it sent their own GET,
   * and for a URL given alone.
   */
  evidence: ServiceEvidence.nullable(),
});
export type ServiceConnectivity = z.infer<typeof ServiceConnectivity>;

/**
 * What `opsdeck validate-token` found: whether the credential's variables are set (by name, never the
 * value) and whether the service accepted it. `accepted` is null when that cannot be told: a variable
 * missing, no answer, or a URL that answers alike with the credential and without one (it checks none).
 * The variables are those of the process that made the check (the console's, a command's), which are not
 * necessarily the workers'.
 */
export const TokenCheck = z.object({
  service: z.string(),
  auth_type: z.enum(['none', 'bearer', 'basic']),
  variables: z.array(z.object({ name: z.string(), set: z.boolean() })),
  /** Whether the service was asked at all: not when there is no credential to send from here. */
  tested: z.boolean(),
  accepted: z.boolean().nullable(),
  http_status: z.number().int().nullable(),
  detail: z.string(),
});
export type TokenCheck = z.infer<typeof TokenCheck>;
