import type { AlertChannel, AlertNotice } from '../../shared/alerts.ts';
import { RetryConfig } from '../../shared/registry.ts';
import { REDACTED, redactUrl } from '../config/secrets.ts';
import type { RandomSource } from './backoff.ts';
import { backoffDelayMs } from './backoff.ts';
import { delay } from './waits.ts';

/**
 * Webhook and Slack deliveries of an alert's transitions: a POST of a JSON body, under a timeout, retried
 * with backoff. The URL comes from the environment variable the rule names (it may carry a token) and is
 * never stored, logged or shown: a delivery is named by its channel kind and variable.
 */

/** The webhook body (README, "Alerts"): one object per transition. */
export interface WebhookBody {
  source: 'opsdeck';
  version: 1;
  rule: string;
  kind: AlertNotice['kind'];
  severity: AlertNotice['severity'];
  status: AlertNotice['status'];
  summary: string;
  value: number | null;
  at: string;
}

export function webhookBody(notice: AlertNotice): WebhookBody {
  return { source: 'opsdeck', version: 1, ...notice };
}

const ICON = { firing: { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' }, resolved: ':white_check_mark:' } as const;

/** A Slack-compatible incoming-webhook body: `text` for every client, `blocks` for those that show them. */
export function slackBody(notice: AlertNotice): { text: string; blocks: unknown[] } {
  const icon = notice.status === 'firing' ? ICON.firing[notice.severity] : ICON.resolved;
  const text = `${icon} [${notice.severity}] ${notice.rule} ${notice.status}: ${notice.summary}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${notice.rule}* is *${notice.status}* (${notice.severity})\n${notice.summary}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `opsdeck · ${notice.kind} · ${notice.at}` }] },
    ],
  };
}

export interface DeliveryOptions {
  timeoutMs: number;
  /** Tries in all, the first included. */
  attempts: number;
  /** The backoff between tries (engine/backoff.ts: full jitter, capped). */
  retry: RetryConfig;
  random?: RandomSource;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  timeoutMs: 5000,
  attempts: 4,
  retry: RetryConfig.parse({ initial_backoff: 1, backoff_factor: 2, max_backoff: 30 }),
};

export interface DeliveryResult {
  /** `webhook:ALERT_URL`, `slack:SLACK_URL`. */
  channel: string;
  ok: boolean;
  tries: number;
  /** What went wrong at the last try, the URL redacted. */
  detail: string;
}

export function channelName(channel: AlertChannel): string {
  return channel.type === 'desktop' ? 'desktop' : `${channel.type}:${channel.url_env_var}`;
}

/** POSTs `body` until a 2xx answers or the tries run out. Never throws. */
export async function postWithRetries(url: string, body: unknown, opts: DeliveryOptions): Promise<{ ok: boolean; tries: number; detail: string }> {
  let detail = '';
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'opsdeck-alerts' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs),
        redirect: 'error',
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, tries: attempt, detail: `HTTP ${response.status}` };
      detail = `HTTP ${response.status}`;
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      const said = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      // A webhook URL may carry its token in the path: the URL never appears in what is kept or shown.
      detail = name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : redactUrl(said.split(url).join(REDACTED));
    }
    if (attempt < opts.attempts) await delay(backoffDelayMs(opts.retry, attempt, undefined, opts.random));
  }
  return { ok: false, tries: opts.attempts, detail };
}

/** Delivers one transition to the rule's webhook and Slack channels; the desktop channel is the consoles' to show. */
export async function deliverNotice(
  notice: AlertNotice,
  channels: AlertChannel[],
  env: Readonly<Record<string, string | undefined>>,
  opts: DeliveryOptions = DEFAULT_DELIVERY,
): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = [];
  await Promise.all(
    channels.map(async (channel) => {
      if (channel.type === 'desktop') return;
      const name = channelName(channel);
      const url = env[channel.url_env_var];
      if (!url) {
        results.push({ channel: name, ok: false, tries: 0, detail: `the environment variable ${channel.url_env_var} is not set on this machine` });
        return;
      }
      if (!/^https?:\/\//i.test(url)) {
        results.push({ channel: name, ok: false, tries: 0, detail: `${channel.url_env_var} does not hold an http(s) URL` });
        return;
      }
      const body = channel.type === 'slack' ? slackBody(notice) : webhookBody(notice);
      results.push({ channel: name, ...(await postWithRetries(url, body, opts)) });
    }),
  );
  return results;
}
