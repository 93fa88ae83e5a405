import type { ReactNode } from 'react';

const ARROW = { ascending: '↑', descending: '↓' } as const;

/**
 * The column a table is ordered by: `aria-sort` for assistive technology, an arrow for the eye. The
 * orders are the store's, fixed per list; the header says which one it is.
 */
export function SortedHeader({ order, className, children }: { order: 'ascending' | 'descending'; className?: string; children: ReactNode }) {
  return (
    <th scope="col" className={className} aria-sort={order}>
      {children}
      <span className="sort-mark" aria-hidden="true">
        {ARROW[order]}
      </span>
    </th>
  );
}
