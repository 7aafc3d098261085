/**
 * What the handlers' own telemetry bills during a local run, counted in-process from what they write:
 * - log bytes the handlers write at the template's default level (INFO): Powertools Logger output is captured
 *   from stdout/stderr while the engine runs (and not printed). The dashboard's figures are fields of these
 *   lines (functions/lib/dashboard-fields.ts), so they are billed here, as Logs ingestion;
 * - custom metrics (embedded metric format): any written line carrying `_aws.CloudWatchMetrics` is an EMF line
 *   and is counted as one (0 in a normal run: the handlers publish none). CloudWatch bills a custom metric
 *   (namespace + name + dimension set) per month, prorated by the hour it receives data, so the priced
 *   quantity is metric-hours: the clock hours each metric receives data in, in expectation over the minute the
 *   run starts at (the engine's virtual clock).
 */

import type { Clock } from '../functions/core/state.ts';
import { logger } from '../functions/lib/powertools.ts';

export interface TelemetryCount {
  /** EMF lines written (each carries `_aws.CloudWatchMetrics`). */
  emfLines: number;
  /** Distinct custom metrics: namespace + metric name + dimension set. */
  customMetrics: number;
  /** Each distinct metric, `Name{Dimension=value,…}` (MigrationId and service left out), with its metric-hours. */
  customMetricList: { metric: string; metricHours: number }[];
  /** Clock hours with data, summed over the custom metrics (expected value): what the hourly proration bills. */
  customMetricHours: number;
  /** Bytes of the EMF lines. */
  emfBytes: number;
  /** Bytes the Logger wrote at INFO (JSON lines other than EMF). */
  logBytes: number;
  logLines: number;
}

interface EmfLine {
  _aws?: {
    Timestamp?: number;
    CloudWatchMetrics?: {
      Namespace?: string;
      Dimensions?: string[][];
      Metrics?: { Name: string }[];
    }[];
  };
  [field: string]: unknown;
}

/** The metrics one EMF line publishes, each as its identity (namespace, name, dimension values). */
function metricsOf(line: EmfLine): string[] {
  return (line._aws?.CloudWatchMetrics ?? []).flatMap((directive) =>
    (directive.Dimensions ?? [[]]).flatMap((dimensionSet) =>
      (directive.Metrics ?? []).map((metric) =>
        JSON.stringify([
          directive.Namespace ?? '',
          metric.Name,
          dimensionSet.map((name) => [name, String(line[name])]).sort(),
        ])
      )
    )
  );
}

type Stream = { write: (...args: unknown[]) => boolean };

/**
 * Starts counting; `stop()` restores the logger and the streams and returns the counts.
 * Only one counter at a time (it patches shared instances).
 */
export function countTelemetry(clock: Clock) {
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
  const countLine = (line: string) => {
    const bytes = Buffer.byteLength(line) + 1;
    let parsed: EmfLine | null = null;
    try {
      parsed = JSON.parse(line) as EmfLine;
    } catch {
      parsed = null;
    }
    if (parsed?._aws?.CloudWatchMetrics === undefined) {
      count.logBytes += bytes;
      count.logLines += 1;
      return;
    }
    count.emfLines += 1;
    count.emfBytes += bytes;
    // The engine's virtual clock: a line's own Timestamp would be the wall clock of this fast-forwarded run.
    const at = clock.now().getTime();
    for (const identity of metricsOf(parsed)) {
      const span = spans.get(identity);
      spans.set(identity, { first: span?.first ?? at, last: at });
    }
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
      for (const line of text.split('\n')) if (line !== '') countLine(line);
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
      count.customMetrics = spans.size;
      count.customMetricList = [...spans].map(([identity, { first, last }]) => {
        const [, name, dimensions] = JSON.parse(identity) as [string, string, [string, string][]];
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
