import { useState } from 'react';
import { announce } from '../../lib/announcer.ts';
import { ariaKeys, isApplePlatform, keysLabel } from '../../lib/shortcuts.ts';
import { useShortcut } from '../../lib/useShortcut.ts';
import { useUi } from '../../lib/uiState.ts';
import { StopDialog } from './StopDialog.tsx';
import { useControlAction, useControlState } from './useControlState.ts';

/**
 * One click, or one chord from anywhere (over a dialog too), stops dispatch everywhere. Only an operator
 * who asked for it in Settings gets a confirmation first. The button sits above every dialog's overlay.
 */
export function EmergencyStopButton() {
  const control = useControlState();
  const stop = useControlAction('control.emergencyStop');
  const confirmFirst = useUi((s) => s.confirmStop);
  const [dialog, setDialog] = useState<'confirm' | 'reason' | null>(null);
  const engaged = control.data?.emergency_stop.engaged ?? false;
  const keys = keysLabel('emergency-stop', isApplePlatform(navigator.userAgent));

  function request(): void {
    if (engaged) {
      announce('The emergency stop is already engaged; resume from the banner.');
      return;
    }
    if (stop.pending) return;
    if (confirmFirst) setDialog('confirm');
    else stop.run({});
  }

  useShortcut('emergency-stop', request);

  return (
    <div className="estop">
      <button
        type="button"
        className="button-estop"
        disabled={stop.pending || engaged}
        onClick={request}
        aria-keyshortcuts={ariaKeys('emergency-stop')}
        title={engaged ? 'Emergency stop is engaged; resume from the banner' : `Stop dispatch on every worker and interrupt running jobs (${keys})`}
      >
        <span className="estop-icon" aria-hidden="true" />
        {engaged ? 'Stopped' : 'Emergency stop'}
        {/* A hint beside the label, not part of the button's name: tools and voices find "Emergency stop". */}
        {engaged ? null : (
          <kbd className="kbd" aria-hidden="true">
            {keys}
          </kbd>
        )}
      </button>
      <button type="button" className="button-estop-more" aria-label="Emergency stop with a reason" disabled={stop.pending || engaged} onClick={() => setDialog('reason')}>
        …
      </button>
      {dialog ? (
        <StopDialog
          title={dialog === 'confirm' ? 'Stop everything?' : 'Emergency stop with a reason'}
          onClose={() => setDialog(null)}
          onStop={(reason) => {
            stop.run({ reason });
            setDialog(null);
          }}
        />
      ) : null}
    </div>
  );
}
