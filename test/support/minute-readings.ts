/**
 * A fake Service Connect reading built minute by minute, with the per-period values the CloudWatch adapter
 * reports (`byPeriod`, `periods`): what the handler tests of quiet looks, publication and the dashboard's
 * per-minute lines fold.
 */
import type { MetricQuery } from '../../functions/core/state.ts';
import type { MetricReading, PeriodSample } from '../../functions/core/types.ts';

/**
 * `requestsAt(minute start)` requests a minute (1,001 unless given), `errorsAt(minute start)` 5xx among them,
 * 40 ms average, 90 ms maximum, for every target of the query.
 */
export function readingWith(
  errorsAt: (startMs: number) => number,
  requestsAt: (startMs: number) => number = () => 1_001
) {
  return (query: MetricQuery): MetricReading => ({
    kind: 'ok',
    services: query.targets.map((target) => {
      const parts: PeriodSample[] = [];
      for (let ms = Date.parse(query.window.start); ms < Date.parse(query.window.end); ms += 60_000)
        parts.push({
          start: new Date(ms).toISOString(),
          http2xx: requestsAt(ms) - errorsAt(ms),
          http3xx: null,
          http4xx: null,
          http5xx: errorsAt(ms),
          requestCount: requestsAt(ms),
          latencySampleCount: requestsAt(ms),
          latencyAvgMs: 40,
          latencyMaxMs: 90,
        });
      const sum = (pick: (part: PeriodSample) => number) =>
        parts.reduce((total, part) => total + pick(part), 0);
      return {
        discoveryName: target.discoveryName,
        http2xx: sum((part) => part.http2xx as number),
        http3xx: null,
        http4xx: null,
        http5xx: sum((part) => part.http5xx as number),
        requestCount: sum((part) => part.requestCount as number),
        latencySampleCount: sum((part) => part.requestCount as number),
        latencyAvgMs: 40,
        latencyMaxMs: 90,
        latencyP99Ms: null,
        periodStarts: parts.map((part) => part.start),
        periods: parts.map((part) => ({
          start: part.start,
          requests: part.requestCount as number,
          errors: part.http5xx as number,
        })),
        byPeriod: parts,
      };
    }),
  });
}
