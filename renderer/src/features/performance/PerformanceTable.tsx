import type { PerformanceRow } from './performanceView.ts';

function Cells({ row, byService }: { row: PerformanceRow; byService: boolean }) {
  const { cells } = row;
  return (
    <>
      <th scope="row" className="mono">
        {row.label}
      </th>
      {byService ? <td className="mono">{row.type ?? ''}</td> : null}
      <td className="num">{cells.completed}</td>
      <td className="num">{cells.deadLettered}</td>
      <td className="num">{cells.retries}</td>
      <td className="num">{cells.success}</td>
      <td className="num">{cells.p50}</td>
      <td className="num">{cells.p95}</td>
      <td className="num">{cells.p99}</td>
      <td className="num">{cells.perMinute}</td>
    </>
  );
}

/**
 * Each execution type's figures (or each service's, with its type) and their total, with what each column
 * counts on hover.
 */
export function PerformanceTable({ caption, by, rows, total }: { caption: string; by: 'type' | 'service'; rows: PerformanceRow[]; total: PerformanceRow }) {
  const byService = by === 'service';
  return (
    // Focusable, so the columns past the panel's edge can be scrolled to from the keyboard.
    <div className="table-overflow" tabIndex={0} role="region" aria-label={`Performance by ${byService ? 'service' : 'execution type'}, scrollable`}>
      <table className="table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {byService ? (
              <>
                <th scope="col">Service</th>
                <th scope="col">Type</th>
              </>
            ) : (
              <th scope="col">Type</th>
            )}
            <th scope="col" className="num">
              <abbr title="Jobs that completed in the window">Completed</abbr>
            </th>
            <th scope="col" className="num">
              <abbr title="Jobs that went to the dead letters in the window">Dead-lettered</abbr>
            </th>
            <th scope="col" className="num">
              <abbr title="Failed attempts that were tried again: attempts, not jobs (a job retried twice counts twice)">Retries</abbr>
            </th>
            <th scope="col" className="num">
              <abbr title="Completed ÷ (completed + dead-lettered); retries left out">Success</abbr>
            </th>
            <th scope="col" className="num">
              <abbr title="Median duration of completed jobs">p50</abbr>
            </th>
            <th scope="col" className="num">
              <abbr title="95th percentile duration of completed jobs">p95</abbr>
            </th>
            <th scope="col" className="num">
              <abbr title="99th percentile duration of completed jobs">p99</abbr>
            </th>
            <th scope="col" className="num">
              <abbr title="Completed and dead-lettered jobs per minute of the window">Jobs/min</abbr>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <Cells row={row} byService={byService} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr className="total-row">
            <Cells row={total} byService={byService} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
