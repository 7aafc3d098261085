/** Where the metrics are read and the limits green must meet. */

import * as z from 'zod/mini';
import { overlaps, targetLabel } from './discovery-target.ts';
import { DiscoveryTargets } from './input-fields.ts';
import { formatPath } from './input-issues.ts';
import { CustomQueriesSchema, EdgeSchema } from './input-sources.ts';
import { boundedInt, boundedNumber, described } from './input-zod.ts';

const MetricsFields = z.strictObject({
  /** CloudWatch namespace of the Service Connect metrics. */
  namespace: described(
    z._default(z.string().check(z.minLength(1), z.maxLength(255)), 'AWS/ECS'),
    'CloudWatch namespace of the Service Connect metrics.'
  ),
  /**
   * Green's Service Connect discovery names (or `{ discoveryName, clusterName, serviceName }` to count only the
   * traffic from that calling service in that cluster); every one is judged, and all of them together.
   */
  greenDiscoveryNames: described(
    DiscoveryTargets.check(z.minLength(1, 'must name at least one discovery name')),
    "Green's Service Connect discovery names (or `{ discoveryName, clusterName, serviceName }` to count only the traffic from that calling service in that cluster); every one is judged, and all of them together."
  ),
  /** Blue's discovery names with Service Connect-shaped metrics, for the comparison with the baseline. */
  blueDiscoveryNames: described(
    z.optional(DiscoveryTargets),
    "Blue's discovery names with Service Connect-shaped metrics, for the comparison with the baseline."
  ),
  /** Metric period; Service Connect publishes every 60 s. */
  periodSeconds: described(
    z._default(
      z
        .int('must be an integer')
        .check(
          z.gte(60, 'must be >= 60'),
          z.lte(3_600, 'must be <= 3600'),
          z.multipleOf(60, 'must be a multiple of 60')
        ),
      60
    ),
    'Metric period; Service Connect publishes every 60 s.'
  ),
  /**
   * How long CloudWatch takes to publish a datapoint; windows end this far in the past. AWS states no
   * figure; Datadog reports about 2 min for 1-minute metrics (docs/aws-facts.md §1.1, UNCONFIRMED): 150 s
   * is that plus 30 s, within the 2-3 min the facts recommend. Not a multiple of 60 on purpose: evaluations
   * run at this phase within the minute, and a shift written just after a minute boundary would leave
   * almost the whole first minute of its step unjudged (judgingFrom rounds up to the period).
   */
  publicationDelaySeconds: described(
    boundedInt({ min: 0, max: 900, default: 150 }),
    'How long CloudWatch takes to publish a datapoint; windows end this far in the past. AWS states no figure; Datadog reports about 2 min for 1-minute metrics (docs/aws-facts.md §1.1, UNCONFIRMED): 150 s is that plus 30 s, within the 2-3 min the facts recommend. Not a multiple of 60 on purpose: evaluations run at this phase within the minute, and a shift written just after a minute boundary would leave almost the whole first minute of its step unjudged (judgingFrom rounds up to the period).'
  ),
  /**
   * First look for a minute's datapoints this long after the minute ends; then every
   * `publicationPollSeconds` until `publicationDelaySeconds` (the first look is never later than that), after which a minute still missing is judged
   * as it is (a late minute is read with the next window). Judges each minute as soon as it is published.
   */
  earliestPublicationSeconds: described(
    boundedInt({ min: 0, max: 900, default: 90 }),
    "First look for a minute's datapoints this long after the minute ends; then every `publicationPollSeconds` until `publicationDelaySeconds`, after which a minute still missing is judged as it is. Judges each minute as soon as it is published."
  ),
  /**
   * How often to look again for a minute not yet published (0: no polling, every evaluation waits the
   * whole `publicationDelaySeconds`). Each look is one more Bake -> EvaluateMetrics -> Decide round
   * (9 history events) and one green GetMetricData.
   */
  publicationPollSeconds: described(
    boundedInt({ min: 0, max: 300, default: 30 }),
    'How often to look again for a minute not yet published (0: no polling, every evaluation waits the whole `publicationDelaySeconds`). Each look is one more Bake -> EvaluateMetrics -> Decide round (9 history events) and one green GetMetricData.'
  ),
  /**
   * Longest window one evaluation judges. Windows start where the last Pass or Fail ended (independent
   * data); after an Inconclusive the window grows, at most to this, then its start moves forward.
   */
  windowSeconds: described(
    boundedInt({ min: 60, max: 3_600, default: 300 }),
    'Longest window one evaluation judges. Windows start where the last Pass or Fail ended (independent data); after an Inconclusive the window grows, at most to this, then its start moves forward.'
  ),
  /** Each environment's edge load balancer (found from the alias records by default). */
  edge: EdgeSchema,
  /** A team's own CloudWatch metrics, judged against their own limits. */
  queries: CustomQueriesSchema,
});
type MetricsFields = z.output<typeof MetricsFields>;

const windowWholePeriods = z.refine<MetricsFields>((m) => m.windowSeconds % m.periodSeconds === 0, {
  message: 'must be a multiple of periodSeconds',
  path: ['windowSeconds'],
});

// Polling slower than the period lets a judged look move the lag past the next minute's first look, and
// that minute is then judged together with the one after it.
const pollWithinPeriod = z.refine<MetricsFields>(
  (m) => m.publicationPollSeconds <= m.periodSeconds,
  { message: 'must be <= periodSeconds (0: no polling)', path: ['publicationPollSeconds'] }
);

const distinctTraffic = z.superRefine<MetricsFields>((m, ctx) => {
  // The same traffic named twice would be counted twice: one bad minute would weigh double.
  const named = [
    ...m.greenDiscoveryNames.map((target, index) => ({
      target,
      path: ['greenDiscoveryNames', index],
    })),
    ...(m.blueDiscoveryNames ?? []).map((target, index) => ({
      target,
      path: ['blueDiscoveryNames', index],
    })),
  ];
  named.forEach((entry, index) => {
    const earlier = named.slice(0, index).find((other) => overlaps(other.target, entry.target));
    if (earlier === undefined) return;
    ctx.addIssue({
      code: 'custom',
      message: `counts the same traffic as metrics.${formatPath(earlier.path)} (${targetLabel(earlier.target)}): each discovery name (or name, cluster and service) may appear once across green and blue; a bare name covers every cluster`,
      path: entry.path,
    });
  });
});

export const MetricsSchema = MetricsFields.check(
  windowWholePeriods,
  pollWithinPeriod,
  distinctTraffic
);

/**
 * `metrics` of a migration that has already started (a continuation's `resume.input`, resume-input.ts): the
 * rules of `MetricsSchema` minus those added since a running migration may have started under an earlier
 * version (publicationPollSeconds <= periodSeconds). Refusing its hand-over after an upgrade would end the run
 * at PreflightFailed, half shifted and never rolled back.
 */
export const StartedMetricsSchema = MetricsFields.check(windowWholePeriods, distinctTraffic);

export const BaselineThresholdsSchema = z.strictObject({
  /** Green fails when its error rate > max(blue x ratio, blue + minDelta). */
  errorRateMaxRatio: described(
    boundedNumber({ min: 1, max: 100, default: 2 }),
    'Green fails when its error rate > max(blue x ratio, blue + minDelta).'
  ),
  errorRateMinDeltaPercent: described(
    boundedNumber({ min: 0, max: 100, default: 0.5 }),
    "Minimum margin above blue's error rate, in percentage points (see errorRateMaxRatio)."
  ),
  /** Green fails when its average latency > max(blue x ratio, blue + minDelta). */
  latencyAvgMaxRatio: described(
    boundedNumber({ min: 1, max: 100, default: 1.5 }),
    'Green fails when its average latency > max(blue x ratio, blue + minDelta).'
  ),
  latencyAvgMinDeltaMs: described(
    z._default(z.number().check(z.gte(0, 'must be >= 0')), 50),
    "Minimum margin above blue's average latency, in ms (see latencyAvgMaxRatio)."
  ),
});

export const ThresholdsSchema = z.strictObject({
  /** Below this many requests in a window the verdict is Inconclusive, never Pass. */
  minRequests: described(
    boundedInt({ min: 1, max: 1_000_000, default: 50 }),
    'Below this many requests in a window the verdict is Inconclusive, never Pass.'
  ),
  /** Green's 5xx share of requests, in percent. */
  errorRateMaxPercent: described(
    boundedNumber({ min: 0, max: 100, default: 1 }),
    "Green's 5xx share of requests, in percent."
  ),
  /**
   * One-sided confidence that green's true error rate is above the limit before a window counts as Fail, for
   * the window checks (each discovery name's error rate, and the overall one of a source without per-minute
   * counts). Windows are independent and a rollback needs maxConsecutiveFailures + 1 Fails in a row (3 by
   * default): at 0.9 each, a green exactly at the limit fails three in a row with probability 0.1^3 = 0.001.
   */
  confidence: described(
    boundedNumber({ min: 0.5, max: 0.9999, default: 0.9 }),
    "One-sided confidence that green's true error rate is above the limit before a window counts as Fail, for the window checks (each discovery name's error rate, and the overall one of a source without per-minute counts). Windows are independent and a rollback needs maxConsecutiveFailures + 1 Fails in a row (3 by default): at 0.9 each, a green exactly at the limit fails three in a row with probability 0.1^3 = 0.001."
  ),
  /**
   * The overall error-rate checks (absolute and against blue) are a sequential test on per-minute counts
   * (design.md §4): a green whose 5xx rate stays within its limit is rolled back by it with probability at
   * most this, per 1,440 judged minutes, however often it is looked at.
   */
  falseAlarmRate: described(
    boundedNumber({ min: 1e-6, max: 0.5, default: 0.01 }),
    'The overall error-rate checks (absolute and against blue) are a sequential test on per-minute counts: a green whose 5xx rate stays within its limit is rolled back by it with probability at most this, per 1,440 judged minutes, however often it is looked at.'
  ),
  /**
   * The fewest minutes of overwhelming evidence that roll back through the sequential test: each minute's
   * evidence is capped so that fewer minutes never suffice. The default 3: with 2, two consecutive one-minute
   * 5xx bursts at a high green share (1.5 % against a 0.5 % baseline limit) rolled back 0.7 % of flapping
   * migrations in the bench; three consecutive bursts are 30 times rarer (0.0 %), for +30 s median restore.
   */
  minEvidenceMinutes: described(
    boundedInt({ min: 1, max: 10, default: 3 }),
    "The fewest minutes of overwhelming evidence that roll back through the sequential test: each minute's evidence is capped so that fewer minutes never suffice. With 3, neither a one-minute 5xx burst nor two in a row roll back on their own; weak evidence takes longer."
  ),
  /** Limit on TargetResponseTime Average (ms). Unset: no absolute latency check. */
  latencyAvgMaxMs: described(
    z.optional(z.number().check(z.positive('must be > 0'))),
    'Limit on TargetResponseTime Average (ms). Unset: no absolute latency check.'
  ),
  /** Limit on TargetResponseTime Maximum (ms). Unset: no check (Maximum is noisy). */
  latencyMaxMs: described(
    z.optional(z.number().check(z.positive('must be > 0'))),
    'Limit on TargetResponseTime Maximum (ms). Unset: no check (Maximum is noisy).'
  ),
  /**
   * Limit on p99 where the source has percentiles (a load balancer namespace). Refused with AWS/ECS: CloudWatch
   * percentiles need raw data points and ECS publishes pre-aggregated minutes (docs/aws-facts.md §1.5).
   */
  latencyP99MaxMs: described(
    z.optional(z.number().check(z.positive('must be > 0'))),
    'Limit on p99 where the source has percentiles (a load balancer namespace). Refused with AWS/ECS: CloudWatch percentiles need raw data points and ECS publishes pre-aggregated minutes (docs/aws-facts.md §1.5).'
  ),
  baseline: described(
    z.prefault(BaselineThresholdsSchema, {}),
    'Limits relative to blue (used when metrics.blueDiscoveryNames is set).'
  ),
});
