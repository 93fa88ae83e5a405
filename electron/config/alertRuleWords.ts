import { conditionAdvice, isEmail, NO_EMAIL } from '../../shared/alertCondition.ts';
import { ALERT_KINDS, type AlertKind } from '../../shared/alerts.ts';
import { closest } from '../../shared/closestWord.ts';

/** An alert rule's refusals in the words of the runbooks its writer came from. */

const MAIL_THROUGH_WEBHOOK = `${NO_EMAIL} (channels: [{ type: webhook, url_env_var: ALERT_URL }], ALERT_URL holding its URL)`;

/** The kind a kind that is none most likely means ("failure-rate" means failure_rate). */
export function misspeltKind(kind: unknown): AlertKind | null {
  if (typeof kind !== 'string' || ALERT_KINDS.some((k) => k === kind)) return null;
  const hint = closest(kind, ALERT_KINDS);
  return ALERT_KINDS.find((k) => k === hint) ?? null;
}

/**
 * What to write instead of a key the runbooks put in a rule (`condition`, `action: send_email`,
 * `recipients`), read from the rule as written; null for any other key.
 */
export function runbookKeyAdvice(key: string, rule: unknown): string | null {
  const field = (name: string): unknown => (typeof rule === 'object' && rule !== null ? Reflect.get(rule, name) : undefined);
  switch (key) {
    case 'condition':
      return conditionAdvice(field('condition'));
    case 'recipients':
      return MAIL_THROUGH_WEBHOOK;
    case 'action': {
      const action = field('action');
      if (isEmail(action)) return MAIL_THROUGH_WEBHOOK;
      if (typeof action === 'string' && /slack/i.test(action)) {
        return "a rule notifies its channels: for Slack, channels: [{ type: slack, url_env_var: SLACK_URL }], SLACK_URL holding the incoming webhook's URL";
      }
      return 'a rule notifies its channels (desktop, webhook, slack) when it fires and when it resolves';
    }
    case 'channel':
      return "did you mean 'channels'? (a Slack incoming webhook posts to the channel it was made for)";
    default:
      return null;
  }
}
