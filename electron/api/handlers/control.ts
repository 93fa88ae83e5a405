import type { Handlers } from '../handlerTypes.ts';

/** Each change is audited by the store, in the transaction that makes it. */
export const control: Handlers<'control.get' | 'control.emergencyStop' | 'control.resume' | 'control.safeMode' | 'control.pauseQueue'> = {
  'control.get': async (_input, ctx) => ctx.store.getControl(),
  'control.emergencyStop': async (input, ctx) => ctx.store.setEmergencyStop(true, ctx.actor, input.reason ?? null),
  'control.resume': async (_input, ctx) => ctx.store.setEmergencyStop(false, ctx.actor, null),
  'control.safeMode': async (input, ctx) => ctx.store.setSafeMode(input.enabled, ctx.actor, input.reason ?? null),
  'control.pauseQueue': async (input, ctx) => ctx.store.setQueuePaused(input.queue, input.paused, ctx.actor, input.reason ?? null),
};
