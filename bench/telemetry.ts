/**
 * What the handlers' own telemetry bills during a local run, counted in-process:
 * - custom metrics (embedded metric format): every `publishMetric` call is recorded through the shared
 *   Powertools `metrics` instance (functions/lib/powertools.ts), with the virtual time of the engine's clock.
 *   CloudWatch bills a custom metric (name + dimension set) per month, prorated by the hour it receives data,
 *   so the priced quantity is metric-hours: the clock hours each metric receives data in, in expectation over
 *   the minute the run starts at;
 * - log bytes the handlers write at the template's default level (INFO): Powertools Logger output is captured
 *   from stdout/stderr while the engine runs (and not printed), plus each EMF line rebuilt in Powertools' shape.
 */

import type { Clock } from '../functions/core/state.ts';
import { logger, metrics } from '../functions/lib/powertools.ts';

export interface TelemetryCount {
  /** publishMetric calls (one EMF line each). */
  emfLines: number;
  /** Distinct custom metrics: metric name + dimension set (Powertools adds `service`). */
  customMetrics: number;
  /** Each distinct metric, `Name{Dimension=value,…}` (MigrationId and service left out), with its metric-hours. */
  customMetricList: { metric: string; metricHours: number }[];
  /** Clock hours with data, summed over the custom metrics (expected value): what the hourly proration bills. */
  customMetricHours: number;
  /** Bytes of the EMF lines (rebuilt in Powertools' format). */
  emfBytes: number;
  /** Bytes the Logger wrote at INFO (JSON lines only). */
  logBytes: number;
  logLines: number;
}

type Stream = { write: (...args: unknown[]) => boolean };

/**
 * Starts counting; `stop()` restores the logger, the metrics instance and the streams and returns the counts.
 * Only one counter at a time (it patches shared instances).
 */
export function countTelemetry(clock: Clock, namespace = 'TrafficShift') {
  const spans = new Map<string, { first: number; last: number }>();
  const count: TelemetryCount = {
    emfLines: 0,
    customMetrics: 0,
    customMetricList: [],
    customMetricHours: 0,
    emfBytes: 0,
    logBytes: 0,
    logLines: 0,
  };
  const target = metrics as unknown as { singleMetric: () => unknown };
  const originalSingleMetric = target.singleMetric;
  target.singleMetric = () => {
    const dimensions: Record<string, string> = { service: 'traffic-shift' };
    return {
      addDimension: (name: string, value: string) => {
        dimensions[name] = value;
      },
      addMetric: (name: string, unit: string, value: number) => {
        const at = clock.now().getTime();
        const identity = JSON.stringify([name, Object.entries(dimensions).sort()]);
        const span = spans.get(identity);
        spans.set(identity, { first: span?.first ?? at, last: at });
        const line = JSON.stringify({
          _aws: {
            Timestamp: at,
            CloudWatchMetrics: [
              {
                Namespace: namespace,
                Dimensions: [Object.keys(dimensions)],
                Metrics: [{ Name: name, Unit: unit }],
              },
            ],
          },
          ...dimensions,
          [name]: value,
        });
        count.emfLines += 1;
        count.emfBytes += Buffer.byteLength(line) + 1;
      },
    };
  };
  // The bench silences Powertools (POWERTOOLS_LOG_LEVEL=SILENT); the template deploys INFO. The middleware
  // resets the level to the initial one on warm invocations, so that refresh is held off while counting.
  const log = logger as unknown as {
    setLogLevel: (level: string) => void;
    getLevelName: () => string;
    refreshSampleRateCalculation: () => void;
  };
  const previousLevel = log.getLevelName();
  const originalRefresh = log.refreshSampleRateCalculation;
  log.refreshSampleRateCalculation = () => {};
  log.setLogLevel('INFO');
  const streams = [process.stdout, process.stderr] as unknown as Stream[];
  const originalWrites = streams.map((stream) => stream.write);
  for (const [index, stream] of streams.entries()) {
    const original = originalWrites[index] as Stream['write'];
    stream.write = (...args: unknown[]) => {
      const chunk = args[0];
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
      if (!text.startsWith('{')) return original.apply(stream, args);
      count.logBytes += Buffer.byteLength(text);
      count.logLines += text.split('\n').filter((line) => line !== '').length;
      const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  }
  return {
    stop(): TelemetryCount {
      streams.forEach((stream, index) => {
        stream.write = originalWrites[index] as Stream['write'];
      });
      log.refreshSampleRateCalculation = originalRefresh;
      log.setLogLevel(previousLevel);
      target.singleMetric = originalSingleMetric;
      count.customMetrics = spans.size;
      count.customMetricList = [...spans].map(([identity, { first, last }]) => {
        const [name, dimensions] = JSON.parse(identity) as [string, [string, string][]];
        const shown = dimensions.filter(([key]) => key !== 'MigrationId' && key !== 'service');
        return {
          metric: `${name}{${shown.map(([key, value]) => `${key}=${value}`).join(',')}}`,
          metricHours: Math.round((1 + (last - first) / 3_600_000) * 100) / 100,
        };
      });
      // A metric with data from `first` to `last` touches 1 + (last - first) / 1 h clock hours on average
      // over where in the hour the run starts (each hour boundary inside the span adds one).
      count.customMetricHours =
        Math.round(
          [...spans.values()].reduce(
            (sum, { first, last }) => sum + 1 + (last - first) / 3_600_000,
            0
          ) * 100
        ) / 100;
      return count;
    },
  };
}
