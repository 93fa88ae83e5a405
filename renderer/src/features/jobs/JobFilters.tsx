import { useEffect, useState } from 'react';
import { EXECUTION_TYPES, JOB_STATUSES } from '../../../../shared/domain.ts';
import { KNOWN_ERROR_CLASSES } from '../../../../shared/errorClass.ts';
import { useCall } from '../../lib/calls.ts';
import { setTextParam, useSearchParams } from '../../lib/router.ts';
import { useUi } from '../../lib/uiState.ts';
import { ERROR_SEARCH_HINT, ERROR_SEARCH_PLACEHOLDER } from '../../lib/errorSearch.ts';
import { chooseCreated, createdChoice, FILTER_PARAMS, listParam, TIME_RANGES, toggleListParam } from './jobFilterUrl.ts';

/** A text input that writes to the URL after a pause, so typing does not fire a query per key. */
function DebouncedText({ param, label, placeholder, className, title }: { param: string; label: string; placeholder?: string; className?: string; title?: string }) {
  const [params, setParams] = useSearchParams();
  const current = params.get(param) ?? '';
  const [value, setValue] = useState(current);
  useEffect(() => setValue(current), [current]);
  useEffect(() => {
    if (value === current) return;
    const timer = window.setTimeout(() => setParams((p) => setTextParam(p, param, value)), 350);
    return () => window.clearTimeout(timer);
  }, [value, current, param, setParams]);
  return (
    <label className={`field ${className ?? ''}`}>
      <span>{label}</span>
      <input type="search" value={value} placeholder={placeholder} title={title} onChange={(event) => setValue(event.target.value)} />
    </label>
  );
}

function MultiToggle({ param, label, options }: { param: string; label: string; options: readonly string[] }) {
  const [params, setParams] = useSearchParams();
  const selected = listParam(params, param);
  return (
    <fieldset className="field chips">
      <legend>{label}</legend>
      {options.map((option) => (
        <label key={option} className={`chip${selected.has(option) ? ' chip-on' : ''}`}>
          <input
            type="checkbox"
            checked={selected.has(option)}
            onChange={() => setParams((p) => toggleListParam(p, param, option))}
          />
          {option.replace('_', ' ')}
        </label>
      ))}
    </fieldset>
  );
}

export function JobFilters() {
  const [params, setParams] = useSearchParams();
  const registry = useCall('registry.get', {}, { staleTime: 60_000 });
  const services = registry.data?.services ?? [];
  const queues = [...new Set(services.map((s) => s.queue))].sort();
  // The window's ends are typed in the browser's wall clock (datetime-local has no zone) and kept so in the
  // URL whatever zone times are read in, so a link means what it meant before; reading in UTC, the label says so.
  const inLocal = useUi((s) => s.timesIn) === 'utc' ? <span className="muted small"> (local time)</span> : null;

  return (
    <form className="filters" aria-label="Job filters" onSubmit={(event) => event.preventDefault()}>
      <MultiToggle param="status" label="Status" options={JOB_STATUSES} />
      <MultiToggle param="type" label="Execution type" options={EXECUTION_TYPES} />
      <div className="filters-row">
        <label className="field">
          <span>Queue</span>
          <select value={params.get('queue') ?? ''} onChange={(event) => setParams((p) => (event.target.value ? p.set('queue', event.target.value) : p.delete('queue')))}>
            <option value="">all queues</option>
            {queues.map((q) => (
              <option key={q}>{q}</option>
            ))}
            {params.get('queue') && !queues.includes(params.get('queue') ?? '') ? <option>{params.get('queue')}</option> : null}
          </select>
        </label>
        <label className="field">
          <span>Service</span>
          <select value={params.get('service') ?? ''} onChange={(event) => setParams((p) => (event.target.value ? p.set('service', event.target.value) : p.delete('service')))}>
            <option value="">all services</option>
            {services.map((s) => (
              <option key={s.name}>{s.name}</option>
            ))}
            {params.get('service') && !services.some((s) => s.name === params.get('service')) ? <option>{params.get('service')}</option> : null}
          </select>
        </label>
        <label className="field">
          <span>Created</span>
          <select
            value={createdChoice(params)}
            onChange={(event) => setParams((p) => chooseCreated(p, event.target.value, Date.now()))}
          >
            <option value="">any time</option>
            {Object.keys(TIME_RANGES).map((r) => (
              <option key={r} value={r}>
                last {r}
              </option>
            ))}
            <option value="custom">between…</option>
          </select>
        </label>
        {!params.get('range') && (params.has('from') || params.has('to')) ? (
          <>
            <label className="field">
              <span>From{inLocal}</span>
              <input type="datetime-local" value={params.get('from') ?? ''} onChange={(event) => setParams((p) => (event.target.value ? p.set('from', event.target.value) : p.delete('from')))} />
            </label>
            <label className="field">
              <span>To{inLocal}</span>
              <input type="datetime-local" value={params.get('to') ?? ''} onChange={(event) => setParams((p) => (event.target.value ? p.set('to', event.target.value) : p.delete('to')))} />
            </label>
          </>
        ) : null}
        <label className="field">
          <span>Failure class</span>
          <select value={params.get('class') ?? ''} onChange={(event) => setParams((p) => (event.target.value ? p.set('class', event.target.value) : p.delete('class')))}>
            <option value="">any class</option>
            {KNOWN_ERROR_CLASSES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
            {params.get('class') && !(KNOWN_ERROR_CLASSES as readonly string[]).includes(params.get('class') ?? '') ? <option>{params.get('class')}</option> : null}
          </select>
        </label>
        <DebouncedText
          param="running_longer_than"
          label="Running longer than"
          placeholder="30m, 2h"
          className="field-duration"
          title="Running jobs whose attempt started longer ago than this: 90s, 10m, 2h or 1d (a bare number is seconds). With a status ticked, jobs of that status instead."
        />
        <DebouncedText param="q" label="Error text" placeholder={ERROR_SEARCH_PLACEHOLDER} className="field-grow" title={ERROR_SEARCH_HINT} />
        <label className="field field-check">
          <input type="checkbox" checked={params.get('stuck') === '1'} onChange={(event) => setParams((p) => (event.target.checked ? p.set('stuck', '1') : p.delete('stuck')))} />
          <span>Stuck only</span>
        </label>
        <label className="field field-check">
          <input type="checkbox" checked={params.get('scheduled') === '1'} onChange={(event) => setParams((p) => (event.target.checked ? p.set('scheduled', '1') : p.delete('scheduled')))} />
          <span>Not due yet</span>
        </label>
        <button type="button" onClick={() => setParams((p) => FILTER_PARAMS.forEach((key) => p.delete(key)), true)}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
