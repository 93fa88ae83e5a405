import type { OverviewStats } from '../../../../shared/contract.ts';
import { tiles } from './tiles.ts';

export function StatTiles({ stats, stuckRuns, workflows }: { stats: OverviewStats; stuckRuns: number | null; workflows: number | null }) {
  return (
    <ul className="tiles" aria-label="Key figures">
      {tiles(stats, stuckRuns, workflows).map((tile) => {
        const body = (
          <>
            <span className="tile-label">{tile.label}</span>
            <span className="tile-value">
              {tile.value}
              {/* A figure that needs attention says so by a mark and a word, not by its colour alone. */}
              {tile.tone === 'bad' || tile.tone === 'warn' ? (
                <>
                  <span className="tile-flag" aria-hidden="true">
                    !
                  </span>
                  <span className="sr-only"> (needs attention)</span>
                </>
              ) : null}
            </span>
            {tile.detail ? <span className="tile-detail">{tile.detail}</span> : null}
          </>
        );
        return (
          <li key={tile.label} className={`tile${tile.tone ? ` tile-${tile.tone}` : ''}`} title={tile.hint}>
            {tile.href ? (
              <a href={tile.href} className="tile-link">
                {body}
              </a>
            ) : (
              body
            )}
          </li>
        );
      })}
    </ul>
  );
}
