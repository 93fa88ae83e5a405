import type { ReactNode } from 'react';
import type { Diagnosis } from '../../../../shared/diagnosis.ts';
import { formatBytes, formatCount } from '../../lib/format.ts';
import { useTimes } from '../../lib/useTimes.ts';

/** `opsdeck diagnose` on screen: versions, the store, its notes and slowest statements, the top error patterns. */
export function DiagnosisView({ diagnosis, health }: { diagnosis: Diagnosis; health: ReactNode }) {
  const { versions, store } = diagnosis;
  const times = useTimes();
  return (
    <section aria-labelledby="diagnosis-title">
      <h3 id="diagnosis-title">Diagnosis</h3>
      <p className="mono small">
        opsdeck {versions.opsdeck}, node {versions.node}, {versions.platform}
      </p>
      <p>
        Store <span className="mono">{store.location}</span> ({store.dialect}, server {versions.store_server ?? 'unknown'}, {formatBytes(store.size_bytes)})
      </p>
      {store.notes.length > 0 ? (
        <ul className="plain-list small" aria-label="Store notes">
          {store.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
      {store.slow_queries && store.slow_queries.length > 0 ? (
        <div className="table-overflow" tabIndex={0} role="region" aria-label="Slowest statements, scrollable">
        <table className="table">
          <caption>Slowest statements (pg_stat_statements)</caption>
          <thead>
            <tr>
              <th scope="col">Mean ms</th>
              <th scope="col">Calls</th>
              <th scope="col">Statement</th>
            </tr>
          </thead>
          <tbody>
            {store.slow_queries.map((q, i) => (
              <tr key={i}>
                <td className="num">{q.mean_ms.toFixed(2)}</td>
                <td className="num">{formatCount(q.calls)}</td>
                <td className="mono small">{q.query}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      ) : null}
      {diagnosis.error_patterns.length > 0 ? (
        <div className="table-overflow" tabIndex={0} role="region" aria-label="Top error patterns, scrollable">
        <table className="table">
          <caption>Top error patterns (open dead letters by fingerprint)</caption>
          <thead>
            <tr>
              <th scope="col">Count</th>
              <th scope="col">Fingerprint</th>
              <th scope="col">Services</th>
              <th scope="col">Sample error</th>
            </tr>
          </thead>
          <tbody>
            {diagnosis.error_patterns.map((g) => (
              <tr key={g.fingerprint}>
                <td className="num">{formatCount(g.count)}</td>
                <td className="mono">{g.fingerprint}</td>
                <td>{g.services.join(', ')}</td>
                <td className="mono text-bad wrap error-cell" title={g.sample_error}>
                  {times.inText(g.sample_error)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      ) : (
        <p className="small">{diagnosis.status === null ? 'Dead letters could not be read: the store did not answer.' : 'No open dead letters.'}</p>
      )}
      {health}
    </section>
  );
}
