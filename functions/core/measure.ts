/**
 * What the checks need from one scope's samples, and how the samples of several names add up.
 */
import type { ServiceSample } from './types.ts';

/**
 * What the checks need from one scope's samples.
 *
 * @example
 * const quiet: Measure = { requests: null, statusRequests: null, errors: 0, latencySamples: 0, latencyAvgMs: null, latencyMaxMs: null, latencyP99Ms: null };
 */
export interface Measure {
  /** Traffic: the sum of HTTPCode_Target_2XX..5XX when any has datapoints, else RequestCount; null = no traffic data. */
  requests: number | null;
  /**
   * Sum of HTTPCode_Target_2XX..5XX; null when none of them has a datapoint. The error rate's denominator:
   * without status codes the error rate is not measurable (RequestCount says nothing about 5xx).
   */
  statusRequests: number | null;
  /** 5xx responses among `statusRequests` (a missing 5xx series next to other status counts is 0). */
  errors: number;
  /** TargetResponseTime SampleCount: the weight of the average, not a request count (ECS pre-aggregates). */
  latencySamples: number;
  /** Average weighted by sample count. */
  latencyAvgMs: number | null;
  latencyMaxMs: number | null;
  /** The largest p99 among the parts: an upper bound for the p99 of their union. */
  latencyP99Ms: number | null;
}

/** The sum of the known values; null when none is known (no data is not zero). */
export function sumKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : known.reduce((sum, value) => sum + value, 0);
}

/** The largest known value; null when none is known. */
export function maxKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.max(...known);
}

/**
 * The measure of one sample. HTTP status counts come from the client side (TargetDiscoveryName) and
 * exist only with appProtocol http/http2; RequestCount (server side) is the traffic fallback. With some
 * status series present, a missing 5xx series means no 5xx: CloudWatch publishes no datapoint for a count
 * that stayed at zero. With none present, errors are unknown, not zero (`statusRequests` null).
 *
 * @example
 * measureOf({ discoveryName: 'orders', http2xx: 990, http3xx: null, http4xx: null, http5xx: 10, requestCount: 1000, latencySampleCount: 60, latencyAvgMs: 20, latencyMaxMs: 400, latencyP99Ms: null, periodStarts: [] });
 * // => { requests: 1000, statusRequests: 1000, errors: 10, latencySamples: 60, latencyAvgMs: 20, latencyMaxMs: 400, latencyP99Ms: null }
 */
export function measureOf(sample: ServiceSample): Measure {
  const statusRequests = sumKnown([sample.http2xx, sample.http3xx, sample.http4xx, sample.http5xx]);
  return {
    requests: statusRequests ?? sample.requestCount,
    statusRequests,
    // Stryker disable next-line ConditionalExpression: without status sums http5xx is null too, so `?? 0` gives 0 either way
    errors: statusRequests === null ? 0 : (sample.http5xx ?? 0),
    latencySamples: sample.latencySampleCount ?? 0,
    latencyAvgMs:
      // Stryker disable next-line ConditionalExpression: `null > 0` is false, so the null test cannot change the result
      sample.latencySampleCount !== null && sample.latencySampleCount > 0
        ? sample.latencyAvgMs
        : null,
    latencyMaxMs: sample.latencyMaxMs,
    latencyP99Ms: sample.latencyP99Ms,
  };
}

/**
 * Sums measures (an empty list is "no data"): counts add up, the latency average is weighted by sample
 * count, the maximum is the largest, and p99 is the largest p99 (percentiles do not add up; the largest
 * is a safe upper bound). Errors and `statusRequests` add up over the parts that have status codes only.
 *
 * @example
 * combineMeasures([measureOf(a), measureOf(b)]);
 */
export function combineMeasures(measures: readonly Measure[]): Measure {
  const weighted = measures.flatMap((m) =>
    m.latencyAvgMs === null ? [] : [{ avgMs: m.latencyAvgMs, samples: m.latencySamples }]
  );
  const weight = weighted.reduce((sum, w) => sum + w.samples, 0);
  return {
    requests: sumKnown(measures.map((m) => m.requests)),
    statusRequests: sumKnown(measures.map((m) => m.statusRequests)),
    errors: measures.reduce((sum, m) => sum + m.errors, 0),
    latencySamples: measures.reduce((sum, m) => sum + m.latencySamples, 0),
    // An average without samples weighs nothing.
    latencyAvgMs:
      weight === 0 ? null : weighted.reduce((sum, w) => sum + w.avgMs * w.samples, 0) / weight,
    latencyMaxMs: maxKnown(measures.map((m) => m.latencyMaxMs)),
    latencyP99Ms: maxKnown(measures.map((m) => m.latencyP99Ms)),
  };
}
