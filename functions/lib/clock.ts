import type { Clock } from '../core/state.ts';

/** The real clock; tests and the rehearsal inject a virtual one. */
export const systemClock: Clock = { now: () => new Date() };
