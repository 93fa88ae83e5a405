/**
 * Which dialogs are open, in the order they opened. Only the top one answers Escape and keeps Tab inside
 * itself, wherever the focus happens to be: a dialog opened over another (the emergency stop's
 * confirmation over a bulk action) closes first, and the one below keeps working after it.
 */
export type DialogStack = readonly symbol[];

export function pushDialog(stack: DialogStack, id: symbol): DialogStack {
  return [...stack.filter((d) => d !== id), id];
}

export function removeDialog(stack: DialogStack, id: symbol): DialogStack {
  return stack.filter((d) => d !== id);
}

export function isTopDialog(stack: DialogStack, id: symbol): boolean {
  return stack.at(-1) === id;
}

let open: DialogStack = [];

/** Registers a dialog as the newest; returns its unregistering. */
export function openDialog(id: symbol): () => void {
  open = pushDialog(open, id);
  return () => {
    open = removeDialog(open, id);
  };
}

/** Whether any dialog is open: a page's own shortcut waits until it is closed. */
export function anyDialogOpen(): boolean {
  return open.length > 0;
}

export function isTop(id: symbol): boolean {
  return isTopDialog(open, id);
}
