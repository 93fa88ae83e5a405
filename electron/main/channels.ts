/** IPC channel names, shared by the preload and the main process. */
export const CALL_CHANNEL = 'opsdeck:call';
export const EVENT_CHANNEL = 'opsdeck:event';
