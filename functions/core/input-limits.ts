/** When the run rolls back or holds, and how Route 53 is polled. */

import * as z from 'zod/mini';
import { DAY_SECONDS } from './input-fields.ts';
import { boundedInt, described } from './input-zod.ts';

export const LimitsSchema = z.strictObject({
  /**
   * Roll back when Fail evaluations in the whole run exceed this: the budget for intermittent failures
   * (each Fail is a separate stretch of traffic, so one bad minute is one Fail).
   */
  maxFailures: described(
    boundedInt({ min: 0, max: 1_000, default: 6 }),
    'Roll back when Fail evaluations in the whole run exceed this: the budget for intermittent failures (each Fail is a separate stretch of traffic, so one bad minute is one Fail).'
  ),
  /**
   * Roll back when Fail evaluations in a row (Inconclusive in between does not break the row, Pass does)
   * exceed this. Consecutive Fails judge independent windows, so the default 2 asks for three separate
   * confirmations: a one- or two-minute 5xx burst does not roll back, a regression does within 3 windows.
   */
  maxConsecutiveFailures: described(
    boundedInt({ min: 0, max: 1_000, default: 2 }),
    'Roll back when Fail evaluations in a row (Inconclusive in between does not break the row, Pass does) exceed this. Consecutive Fails judge independent windows, so the default 2 asks for three separate confirmations: a one- or two-minute 5xx burst does not roll back, a regression does within 3 windows.'
  ),
  /** Inconclusive evaluations in a row before `onInconclusiveLimit` applies. */
  maxInconclusive: described(
    boundedInt({ min: 0, max: 100_000, default: 30 }),
    'Inconclusive evaluations in a row before `onInconclusiveLimit` applies.'
  ),
  /** What to do when the inconclusive limit is exceeded: keep holding at the current weight, or roll back. */
  onInconclusiveLimit: described(
    z._default(z.enum(['hold', 'rollback'], 'must be hold or rollback'), 'rollback'),
    'What to do when the inconclusive limit is exceeded: keep holding at the current weight, or roll back.'
  ),
  /** Roll back when metric-source errors in a row exceed this. */
  maxConsecutiveErrors: described(
    boundedInt({ min: 0, max: 1_000, default: 4 }),
    'Roll back when metric-source errors in a row exceed this.'
  ),
});

export const DnsSchema = z.strictObject({
  /** Preflight refuses non-alias records with a higher TTL: a long TTL delays both shift and rollback. */
  maxTtlSeconds: described(
    boundedInt({ min: 0, max: DAY_SECONDS, default: 300 }),
    'Preflight refuses non-alias records with a higher TTL: a long TTL delays both shift and rollback.'
  ),
  /**
   * Wait between GetChange polls. Route 53 is normally INSYNC within 60 s, so one poll usually suffices;
   * shorter polls only add state transitions (a rollback never waits for INSYNC).
   */
  syncPollSeconds: described(
    boundedInt({ min: 1, max: 300, default: 60 }),
    'Wait between GetChange polls. Route 53 is normally INSYNC within 60 s, so one poll usually suffices; shorter polls only add state transitions (a rollback never waits for INSYNC).'
  ),
  /** Give up (and roll back) when a change is not INSYNC after this long. */
  maxSyncWaitSeconds: described(
    boundedInt({ min: 60, max: 3_600, default: 900 }),
    'Give up (and roll back) when a change is not INSYNC after this long.'
  ),
});
