import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AlertRule } from '../../../../shared/alerts.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { CallError, errorMessage, fieldProblem } from '../../lib/callError.ts';
import { useAction } from '../../lib/calls.ts';
import { notify } from '../../lib/notices.ts';
import { NEW_RULE_TEXT, problemLine, ruleToText, savedNotice } from './ruleText.ts';

/**
 * Writes an alert rule kept in the store, as YAML (the registry's own words). The host reads the text as
 * `alerts save-rule` reads a file (`alerts.checkRule`): every problem at once, at its line, with the
 * runbooks' advice; only a rule with no error is saved, its warnings said with the notice.
 */
export function RuleDialog({ rule, onClose }: { rule: AlertRule | null; onClose(): void }) {
  const queryClient = useQueryClient();
  const check = useAction('alerts.checkRule');
  const save = useAction('alerts.saveRule');
  const [text, setText] = useState(() => (rule ? ruleToText(rule) : NEW_RULE_TEXT));
  const [problems, setProblems] = useState<string[]>([]);
  const pending = check.isPending || save.isPending;

  function confirm(): void {
    if (pending) return;
    check.mutate({ text }, {
      onSuccess(checked) {
        if (checked.rule === null) {
          setProblems(checked.problems.map(problemLine));
          return;
        }
        const warnings = checked.problems;
        save.mutate({ rule: checked.rule }, {
          onSuccess(saved) {
            void queryClient.invalidateQueries({ queryKey: ['alerts.list'] });
            notify(warnings.length > 0 ? 'info' : 'ok', savedNotice(saved.rule.name, warnings));
            onClose();
          },
          onError(error) {
            const issues = error instanceof CallError ? error.issues : undefined;
            setProblems(issues && issues.length > 0 ? issues.map((i) => `${i.path.replace(/^rule\.?/, '') || 'rule'}: ${i.message}`) : [errorMessage(error)]);
          },
        });
      },
      onError(error) {
        // Text past what a rule can be: the host names the limit.
        setProblems([fieldProblem(error, 'text') ?? errorMessage(error)]);
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
          <button type="button" className="button-primary" aria-disabled={pending || undefined} onClick={confirm}>
            Save rule
          </button>
        </>
      }
    >
      {problems.length > 0 ? (
        <div className="callout callout-bad" role="alert">
          <p>The rule was not saved:</p>
          <ul className="problems">
            {problems.map((p, i) => (
              <li key={i} className="mono">
                {p}
              </li>
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
