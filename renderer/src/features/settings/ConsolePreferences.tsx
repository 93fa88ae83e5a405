import { isApplePlatform, keysLabel } from '../../lib/shortcuts.ts';
import { useUi, type ThemeChoice } from '../../lib/uiState.ts';

const THEMES: Array<[ThemeChoice, string]> = [
  ['system', 'Follow the system'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

/** Choices of this console's seat, kept in the browser: the theme, and whether the stop asks first. */
export function ConsolePreferences() {
  const theme = useUi((s) => s.theme);
  const setTheme = useUi((s) => s.setTheme);
  const confirmStop = useUi((s) => s.confirmStop);
  const setConfirmStop = useUi((s) => s.setConfirmStop);
  const keys = keysLabel('emergency-stop', isApplePlatform(navigator.userAgent));
  return (
    <section className="panel" aria-labelledby="look-title">
      <header className="panel-header">
        <h2 id="look-title">This console</h2>
      </header>
      <fieldset className="field chips">
        <legend>Theme</legend>
        {THEMES.map(([value, label]) => (
          <label key={value} className={`chip${theme === value ? ' chip-on' : ''}`}>
            <input type="radio" name="theme" value={value} checked={theme === value} onChange={() => setTheme(value)} />
            {label}
          </label>
        ))}
      </fieldset>
      <label className="field field-check">
        <input type="checkbox" checked={confirmStop} onChange={(event) => setConfirmStop(event.target.checked)} />
        <span>
          Ask before an emergency stop
          <span className="muted small block">
            The button and {keys} then open a confirmation with a reason; off, one press stops dispatch at once.
          </span>
        </span>
      </label>
    </section>
  );
}
