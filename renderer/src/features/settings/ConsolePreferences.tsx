import { isApplePlatform, keysLabel } from '../../lib/shortcuts.ts';
import { displayZone } from '../../lib/format.ts';
import { useUi, type ThemeChoice, type TimesIn } from '../../lib/uiState.ts';

const THEMES: Array<[ThemeChoice, string]> = [
  ['system', 'Follow the system'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

/** Each choice's label names the zone it means here, so the operator sees what local is before choosing it. */
function timesChoices(): Array<[TimesIn, string]> {
  return [
    ['local', `Local with its offset: ${displayZone('local')}`],
    ['utc', "UTC (the CLI's --utc)"],
  ];
}

/** Choices of this console's seat, kept in the browser: the theme, the zone times are read in, and whether the stop asks first. */
export function ConsolePreferences() {
  const theme = useUi((s) => s.theme);
  const setTheme = useUi((s) => s.setTheme);
  const confirmStop = useUi((s) => s.confirmStop);
  const setConfirmStop = useUi((s) => s.setConfirmStop);
  const timesIn = useUi((s) => s.timesIn);
  const setTimesIn = useUi((s) => s.setTimesIn);
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
      <fieldset className="field chips" aria-describedby="times-hint">
        <legend>Times</legend>
        {timesChoices().map(([value, label]) => (
          <label key={value} className={`chip${timesIn === value ? ' chip-on' : ''}`}>
            <input type="radio" name="times" value={value} checked={timesIn === value} onChange={() => setTimesIn(value)} />
            {label}
          </label>
        ))}
      </fieldset>
      <p id="times-hint" className="muted small">
        Every time this console shows, in this browser only: tables, charts, hovers and the API&apos;s sentences. A schedule&apos;s fires still come
        first in its own zone, the one its cron means.
      </p>
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
