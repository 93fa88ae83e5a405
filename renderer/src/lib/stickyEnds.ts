/**
 * In a table whose first and last columns stay on screen while the columns between scroll under them
 * (`.table-sticky-ends`), a control that takes focus in a middle column may sit under a sticky one: still
 * "in view" to the browser, so nothing scrolls, and a keyboard user loses sight of focus. This scrolls the
 * table just far enough to show it beside them.
 */
export function revealBesideStickyEnds(container: HTMLElement, focused: EventTarget): void {
  if (!(focused instanceof Element)) return;
  const cell = focused.closest('td, th');
  const row = cell?.parentElement;
  if (!cell || !row || !container.contains(row)) return;
  const first = row.firstElementChild;
  const last = row.lastElementChild;
  if (cell === first || cell === last) return;
  const box = focused.getBoundingClientRect();
  const leftEdge = first?.getBoundingClientRect().right ?? box.left;
  const rightEdge = last?.getBoundingClientRect().left ?? box.right;
  if (box.left < leftEdge) container.scrollLeft -= leftEdge - box.left;
  else if (box.right > rightEdge) container.scrollLeft += box.right - rightEdge;
}
