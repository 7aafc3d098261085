/** When the run rolls back or holds, and how Route 53 is polled. */
import * as z from 'zod';
import { DAY_SECONDS } from './input-fields.ts';

export const LimitsSchema = z.strictObject({
  /**
   * Roll back when Fail evaluations in the whole run exceed this: the budget for intermittent failures
   * (each Fail is a separate stretch of traffic, so one bad minute is one Fail).
   */
  maxFailures: z
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(1_000, 'must be <= 1000')
    .default(6)
    .describe(
      'Roll back when Fail evaluations in the whole run exceed this: the budget for intermittent failures (each Fail is a separate stretch of traffic, so one bad minute is one Fail).'
    ),
  /**
   * Roll back when Fail evaluations in a row (Inconclusive in between does not break the row, Pass does)
   * exceed this. Consecutive Fails judge independent windows, so the default 2 asks for three separate
   * confirmations: a one- or two-minute 5xx burst does not roll back, a regression does within 3 windows.
   */
  maxConsecutiveFailures: z
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(1_000, 'must be <= 1000')
    .default(2)
    .describe(
      'Roll back when Fail evaluations in a row (Inconclusive in between does not break the row, Pass does) exceed this. Consecutive Fails judge independent windows, so the default 2 asks for three separate confirmations: a one- or two-minute 5xx burst does not roll back, a regression does within 3 windows.'
    ),
  /** Inconclusive evaluations in a row before `onInconclusiveLimit` applies. */
  maxInconclusive: z
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(100_000, 'must be <= 100000')
    .default(30)
    .describe('Inconclusive evaluations in a row before `onInconclusiveLimit` applies.'),
  /** What to do when the inconclusive limit is exceeded: keep holding at the current weight, or roll back. */
  onInconclusiveLimit: z
    .enum(['hold', 'rollback'], 'must be hold or rollback')
    .default('rollback')
    .describe(
      'What to do when the inconclusive limit is exceeded: keep holding at the current weight, or roll back.'
    ),
  /** Roll back when metric-source errors in a row exceed this. */
  maxConsecutiveErrors: z
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(1_000, 'must be <= 1000')
    .default(4)
    .describe('Roll back when metric-source errors in a row exceed this.'),
});

export const DnsSchema = z.strictObject({
  /** Preflight refuses non-alias records with a higher TTL: a long TTL delays both shift and rollback. */
  maxTtlSeconds: z
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(DAY_SECONDS, 'must be <= 86400')
    .default(300)
    .describe(
      'Preflight refuses non-alias records with a higher TTL: a long TTL delays both shift and rollback.'
    ),
  /**
   * Wait between GetChange polls. Route 53 is normally INSYNC within 60 s, so one poll usually suffices;
   * shorter polls only add state transitions (a rollback never waits for INSYNC).
   */
  syncPollSeconds: z
    .int('must be an integer')
    .min(1, 'must be >= 1')
    .max(300, 'must be <= 300')
    .default(60)
    .describe(
      'Wait between GetChange polls. Route 53 is normally INSYNC within 60 s, so one poll usually suffices; shorter polls only add state transitions (a rollback never waits for INSYNC).'
    ),
  /** Give up (and roll back) when a change is not INSYNC after this long. */
  maxSyncWaitSeconds: z
    .int('must be an integer')
    .min(60, 'must be >= 60')
    .max(3_600, 'must be <= 3600')
    .default(900)
    .describe('Give up (and roll back) when a change is not INSYNC after this long.'),
});
