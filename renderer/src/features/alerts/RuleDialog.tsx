import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AlertRule } from '../../../../shared/alerts.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { CallError, errorMessage } from '../../lib/callError.ts';
import { useAction } from '../../lib/calls.ts';
import { notify } from '../../lib/notices.ts';
import { NEW_RULE_TEXT, ruleToText, textToRule } from './ruleText.ts';

/**
 * Writes an alert rule kept in the store, as YAML (the registry's own words). Checked here against the
 * rule's schema, each problem with its key, and again by the server.
 */
export function RuleDialog({ rule, onClose }: { rule: AlertRule | null; onClose(): void }) {
  const queryClient = useQueryClient();
  const save = useAction('alerts.saveRule');
  const [text, setText] = useState(() => (rule ? ruleToText(rule) : NEW_RULE_TEXT));
  const [problems, setProblems] = useState<string[]>([]);

  function confirm(): void {
    const parsed = textToRule(text);
    if (!parsed.ok) {
      setProblems([parsed.message]);
      return;
    }
    const checked = AlertRule.safeParse(parsed.value);
    if (!checked.success) {
      setProblems(checked.error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`));
      return;
    }
    save.mutate({ rule: checked.data }, {
      onSuccess(saved) {
        void queryClient.invalidateQueries({ queryKey: ['alerts.list'] });
        notify('ok', `Saved alert rule ${saved.rule.name}.`);
        onClose();
      },
      onError(error) {
        const issues = error instanceof CallError ? error.issues : undefined;
        setProblems(issues && issues.length > 0 ? issues.map((i) => `${i.path.replace(/^rule\.?/, '') || 'rule'}: ${i.message}`) : [errorMessage(error)]);
      },
    });
  }

  return (
    <Dialog
      title={rule ? `Edit alert rule ${rule.name}` : 'New alert rule'}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button-primary" aria-disabled={save.isPending || undefined} onClick={confirm}>
            Save rule
          </button>
        </>
      }
    >
      {problems.length > 0 ? (
        <div className="callout callout-bad" role="alert">
          <p>The rule was not saved:</p>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <label className="field">
        <span>Rule (YAML, as under alerts: in the registry)</span>
        <textarea className="mono" autoFocus value={text} onChange={(event) => setText(event.target.value)} rows={14} spellCheck={false} />
      </label>
    </Dialog>
  );
}
