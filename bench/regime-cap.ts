/**
 * Probe (issue 13, not part of the bench's results): ours' evidence cap chosen from blue's burst history. The
 * real core runs unchanged (bench/policies/ours.ts); only the `thresholds.minEvidenceMinutes` it is given
 * changes: a "steady" value while no published blue minute so far looked like a burst, then the normal value
 * for the rest of the run. Lowering the cap only between looks is sound for the state the core carries: the
 * sequential test's statistics do not depend on the cap (each period's ratio is capped when folded, and
 * E[min(L, cap)] <= 1 for any cap fixed before the period), and the rule only ever raises minEvidenceMinutes
 * (lowers the cap), so a quiet cadence chosen under the steady value stays quiet under the normal one.
 * Measured by `bench/detector-decompose.ts --steady S --burst limit|binomial` (README "Prototype").
 */
import type { EvidenceMinutesRule } from './policies/ours.ts';
import type { EnvMinute, Minute, World } from './traffic.ts';

const MINUTE_MS = 60_000;

/** Blue's counts over the published minutes before the one tested. */
export interface BlueHistory {
  minutes: number;
  requests: number;
  errors: number;
}

/** Whether one published blue minute looked like a 5xx burst, given blue's earlier minutes. */
export type BurstTest = (blue: EnvMinute, history: BlueHistory) => boolean;

/** Blue's minute above the error-rate limit with at least minRequests requests (what a window check fails on). */
export function aboveLimit(limitPercent: number, minRequests: number): BurstTest {
  return (blue) =>
    blue.requests >= minRequests && blue.http5xx * 100 > limitPercent * blue.requests;
}

/** P(X >= x) for X ~ Binomial(n, p), summed from the lower tail (alpha here is far above rounding). */
export function binomialUpperTail(x: number, n: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let pmf = Math.exp(n * Math.log1p(-p));
  let below = 0;
  for (let k = 0; k < x; k++) {
    below += pmf;
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
  }
  return Math.max(0, 1 - below);
}

/**
 * Blue's minute improbably high for blue's own running rate: one-sided binomial test at `alpha` against the
 * pooled rate of its earlier published minutes; with fewer than `warmup` earlier minutes, `fallback` decides.
 */
export function aboveOwnRate(alpha: number, warmup: number, fallback: BurstTest): BurstTest {
  return (blue, history) => {
    if (history.minutes < warmup || history.requests === 0) return fallback(blue, history);
    if (blue.requests === 0) return false;
    const rate = Math.max(history.errors, 1) / history.requests;
    return binomialUpperTail(blue.http5xx, blue.requests, rate) < alpha;
  };
}

/** One run's record: when the rule switched to the normal value (null: never). */
export interface RuleRecord {
  switchedAtMs: number | null;
}

/**
 * The rule: `steady` minutes of evidence until a published blue minute looks like a burst (`test`), `normal`
 * from the next look on. Only minutes published by the look count, in the order they were published; the
 * newest run's record is left in `record`.
 */
export function blueBurstRule(
  steady: number,
  normal: number,
  test: BurstTest,
  record: RuleRecord = { switchedAtMs: null }
): { rule: EvidenceMinutesRule; record: RuleRecord } {
  const rule: EvidenceMinutesRule = (world: World, startMs: number) => {
    record.switchedAtMs = null;
    let nextMs = Math.floor(startMs / MINUTE_MS) * MINUTE_MS;
    const pending: Minute[] = [];
    const history: BlueHistory = { minutes: 0, requests: 0, errors: 0 };
    return (nowMs: number) => {
      if (record.switchedAtMs !== null) return normal;
      // Minutes that ended by now: no write at or after now can change them (a write moves traffic a sync later).
      for (; nextMs + MINUTE_MS <= nowMs; nextMs += MINUTE_MS) pending.push(world.minute(nextMs));
      const published = pending
        .filter((minute) => minute.publishedAtMs <= nowMs)
        .sort((a, b) => a.publishedAtMs - b.publishedAtMs);
      for (const minute of published) {
        pending.splice(pending.indexOf(minute), 1);
        if (record.switchedAtMs === null && test(minute.blue, history)) record.switchedAtMs = nowMs;
        if (minute.blue.requests > 0) {
          history.minutes += 1;
          history.requests += minute.blue.requests;
          history.errors += minute.blue.http5xx;
        }
      }
      return record.switchedAtMs === null ? steady : normal;
    };
  };
  return { rule, record };
}
