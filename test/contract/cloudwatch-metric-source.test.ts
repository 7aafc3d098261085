/**
 * CloudWatchMetricSource against a real moto_server over HTTP with the real SDK client.
 * moto computes the basic statistics (Sum, Average, Maximum, SampleCount) but no percentiles and no
 * metric math (local-aws.md §3.4). It skips the namespace filter when dimensions are given, so every
 * test uses its own discovery names.
 */
import {
  CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchMetricSource } from '../../functions/adapters/cloudwatch-metric-source.ts';
import { sliceReading } from '../../functions/core/reading-slice.ts';
import type { MetricQuery } from '../../functions/core/state.ts';
import type { DiscoveryTarget } from '../../functions/core/types.ts';
import { evaluate } from '../../functions/core/verdict.ts';
import { recordMetricDataCalls } from '../support/metric-data-recorder.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { inputWith } from '../unit/core/fixtures.ts';

const NAMESPACE = 'Contract/ECS';
const MINUTE = 60_000;

let moto: Moto;
let cloudwatch: CloudWatchClient;
let source: CloudWatchMetricSource;
/** The first minute of the test window: aligned, 30 minutes ago (PutMetricData accepts 2 weeks back). */
let t0: number;

beforeAll(async () => {
  moto = await startMoto();
  cloudwatch = new CloudWatchClient(clientConfig(moto.endpoint));
  source = new CloudWatchMetricSource(cloudwatch);
  t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE;
});

afterAll(async () => {
  cloudwatch?.destroy();
  await moto?.stop();
});

function at(minute: number): Date {
  return new Date(t0 + minute * MINUTE);
}

function count(
  metricName: string,
  dimension: 'TargetDiscoveryName' | 'DiscoveryName',
  name: string,
  minute: number,
  value: number
): MetricDatum {
  return {
    MetricName: metricName,
    Dimensions: [{ Name: dimension, Value: name }],
    Timestamp: at(minute),
    Value: value,
    Unit: 'Count',
  };
}

function latency(name: string, minute: number, values: number[], counts: number[]): MetricDatum {
  return {
    MetricName: 'TargetResponseTime',
    Dimensions: [{ Name: 'TargetDiscoveryName', Value: name }],
    Timestamp: at(minute),
    Values: values,
    Counts: counts,
    Unit: 'Milliseconds',
  };
}

async function put(data: MetricDatum[], namespace = NAMESPACE): Promise<void> {
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data }));
}

function query(
  names: (string | DiscoveryTarget)[],
  fromMinute: number,
  toMinute: number
): MetricQuery {
  return {
    namespace: NAMESPACE,
    targets: names.map((name) => (typeof name === 'string' ? { discoveryName: name } : name)),
    window: { start: at(fromMinute).toISOString(), end: at(toMinute).toISOString() },
    periodSeconds: 60,
    includeP99: false,
    includeLatencyAvg: true,
    includeLatencyMax: true,
  };
}

describe('CloudWatchMetricSource against moto', () => {
  beforeAll(async () => {
    // orders: 2xx every minute, 5xx in minutes 1 and 3, no 3xx/4xx; latency in minutes 0 and 1.
    // Minutes -1 and 5 lie outside the window [0, 5) and must not count.
    await put([
      ...[-1, 0, 1, 2, 3, 4, 5].map((m) =>
        count('HTTPCode_Target_2XX_Count', 'TargetDiscoveryName', 'orders', m, 100 + m)
      ),
      count('HTTPCode_Target_5XX_Count', 'TargetDiscoveryName', 'orders', 1, 2),
      count('HTTPCode_Target_5XX_Count', 'TargetDiscoveryName', 'orders', 3, 4),
      ...[0, 1, 2, 3, 4].map((m) => count('RequestCount', 'DiscoveryName', 'orders', m, 110)),
      latency('orders', 0, [10], [10]),
      latency('orders', 1, [50, 150], [15, 15]),
    ]);
    // payments: a single 2xx datapoint, nothing else.
    await put([count('HTTPCode_Target_2XX_Count', 'TargetDiscoveryName', 'payments', 2, 7)]);
  });

  it('sums counts, weights the average latency by samples and takes the maximum', async () => {
    // Act
    const reading = await source.read(query(['orders', 'payments'], 0, 5));

    // Assess
    expect(reading).toEqual({
      kind: 'ok',
      services: [
        {
          discoveryName: 'orders',
          http2xx: 100 + 101 + 102 + 103 + 104,
          http3xx: null,
          http4xx: null,
          http5xx: 6,
          // Not read: a status count in every minute (service-connect-request-counts.ts).
          requestCount: null,
          latencySampleCount: 40,
          // (10 x 10 + 100 x 30) / 40
          latencyAvgMs: 77.5,
          latencyMaxMs: 150,
          latencyP99Ms: null,
          // The periods with a request datapoint inside the window (minute 5 lies outside it).
          periodStarts: [0, 1, 2, 3, 4].map((m) => at(m).toISOString()),
          // Per minute: the status counts and the 5xx among them (the sequential test's input).
          periods: [
            { start: at(0).toISOString(), requests: 100, errors: 0 },
            { start: at(1).toISOString(), requests: 103, errors: 2 },
            { start: at(2).toISOString(), requests: 102, errors: 0 },
            { start: at(3).toISOString(), requests: 107, errors: 4 },
            { start: at(4).toISOString(), requests: 104, errors: 0 },
          ],
          // Each minute's own values (the cadence cuts a long read per minute: core/reading-slice.ts).
          byPeriod: [0, 1, 2, 3, 4].map((m) => ({
            start: at(m).toISOString(),
            http2xx: 100 + m,
            http3xx: null,
            http4xx: null,
            http5xx: m === 1 ? 2 : m === 3 ? 4 : null,
            requestCount: null,
            latencySampleCount: m === 0 ? 10 : m === 1 ? 30 : null,
            latencyAvgMs: m === 0 ? 10 : m === 1 ? 100 : null,
            latencyMaxMs: m === 0 ? 10 : m === 1 ? 150 : null,
          })),
        },
        {
          discoveryName: 'payments',
          http2xx: 7,
          http3xx: null,
          http4xx: null,
          http5xx: null,
          requestCount: null,
          latencySampleCount: null,
          latencyAvgMs: null,
          latencyMaxMs: null,
          latencyP99Ms: null,
          periodStarts: [at(2).toISOString()],
          periods: [{ start: at(2).toISOString(), requests: 7, errors: 0 }],
          byPeriod: [
            {
              start: at(2).toISOString(),
              http2xx: 7,
              http3xx: null,
              http4xx: null,
              http5xx: null,
              requestCount: null,
              latencySampleCount: null,
              latencyAvgMs: null,
              latencyMaxMs: null,
            },
          ],
        },
      ],
    });
  });

  it('a read of five minutes cut to minutes 1-4 is the read of minutes 1-4 (one read serves a quiet look)', async () => {
    // Act
    const whole = await source.read(query(['orders', 'payments'], 0, 5));
    const part = await source.read(query(['orders', 'payments'], 1, 4));

    // Assess
    expect(sliceReading(whole, query([], 1, 4).window)).toEqual(part);
  });

  it.each([
    // Blue (payments) has a status count in one minute only, but no latency datapoint: its RequestCount could
    // change no verdict, so none is read (adapters/service-connect-request-counts.ts).
    { name: 'one call (no publication look)', judgeable: false, calls: 1 },
    { name: "green's counts, then the rest (a publication look)", judgeable: true, calls: 2 },
  ])(
    "readAll of a quiet look's span: $name over the span, each minute cut from it",
    async ({ judgeable, calls }) => {
      // Prepare: a client that records every GetMetricData request
      const client = new CloudWatchClient(clientConfig(moto.endpoint));
      const requests = recordMetricDataCalls(client);
      const span = query(['orders'], 0, 5);
      const blue = query(['payments'], 0, 5);

      // Act
      const reading = await new CloudWatchMetricSource(client).readAll({
        green: span,
        blue,
        series: [],
        backlogFrom: null,
        ...(judgeable ? { judgeable: () => true } : {}),
      });
      client.destroy();

      // Assess: the span read once (no metric twice), and each minute's cut is a read of that minute
      expect(requests).toHaveLength(calls);
      expect(requests.flatMap((request) => request.queries.map((q) => q.Id))).not.toContain(
        'bn0_requestCount'
      );
      for (const request of requests)
        expect(request).toMatchObject({ start: span.window.start, end: span.window.end });
      for (const minute of [0, 1, 2, 3, 4]) {
        const window = query([], minute, minute + 1).window;
        expect(sliceReading(reading.green, window)).toEqual(
          await source.read(query(['orders'], minute, minute + 1))
        );
        expect(sliceReading(reading.blue ?? reading.green, window)).toEqual(
          await source.read(query(['payments'], minute, minute + 1))
        );
      }
    }
  );

  it('returns nulls, not zeros, for a window without datapoints', async () => {
    // Act
    const reading = await source.read(query(['orders', 'payments'], -20, -15));

    // Assess
    expect(reading.kind).toBe('ok');
    if (reading.kind !== 'ok') return;
    for (const service of reading.services) {
      const { discoveryName, periodStarts, periods, byPeriod, ...values } = service;
      expect(Object.values(values)).toEqual(Array(9).fill(null));
      expect(periodStarts).toEqual([]);
      expect(periods).toEqual([]);
      expect(byPeriod).toEqual([]);
    }
  });

  it('returns nulls for a discovery name that never published', async () => {
    // Act
    const reading = await source.read(query(['never-published'], 0, 5));

    // Assess
    expect(reading).toMatchObject({
      kind: 'ok',
      services: [{ discoveryName: 'never-published', http2xx: null, http5xx: null }],
    });
  });

  it('keeps the reading when moto fails the p99 query (HTTP 500): p99 is null', async () => {
    // Act
    const reading = await source.read({ ...query(['orders'], 0, 5), includeP99: true });

    // Assess
    expect(reading).toMatchObject({
      kind: 'ok',
      services: [{ discoveryName: 'orders', http2xx: 510, latencyMaxMs: 150, latencyP99Ms: null }],
    });
  });

  it('reports the metrics as unavailable when CloudWatch cannot be reached, without throwing', async () => {
    // Prepare: a stopped moto (moto validates too little to refuse a request on its own)
    const stopped = await startMoto();
    await stopped.stop();
    const client = new CloudWatchClient({ ...clientConfig(stopped.endpoint), maxAttempts: 1 });

    // Act
    const reading = await new CloudWatchMetricSource(client).read(query(['orders'], 0, 5));

    // Assess
    expect(reading).toEqual({
      kind: 'unavailable',
      reason: expect.stringMatching(/^GetMetricData failed: /),
    });
    client.destroy();
  });

  it('lists the discovery names that publish HTTP metrics, 2xx or 5xx', async () => {
    // Prepare
    await put([
      count('HTTPCode_Target_2XX_Count', 'TargetDiscoveryName', 'http-ok', 0, 1),
      count('HTTPCode_Target_5XX_Count', 'TargetDiscoveryName', 'http-only-errors', 0, 1),
      count('RequestCount', 'DiscoveryName', 'tcp-only', 0, 1),
    ]);
    await put(
      [count('HTTPCode_Target_2XX_Count', 'TargetDiscoveryName', 'other-namespace', 0, 1)],
      'Other/ECS'
    );

    // Act
    const names = await source.listDiscoveryNamesWithHttpMetrics(
      NAMESPACE,
      ['tcp-only', 'http-only-errors', 'other-namespace', 'http-ok', 'missing'].map(
        (discoveryName) => ({ discoveryName })
      )
    );

    // Assess
    expect(names.map((t) => t.discoveryName)).toEqual(['http-only-errors', 'http-ok']);
  });
});

describe('CloudWatchMetricSource against moto: issue 10 datasets', () => {
  const scoped = { discoveryName: 'sc-orders', clusterName: 'prod', serviceName: 'gateway' };
  const scopedTo = (name: string, clusterName: string, serviceName: string) => [
    { Name: 'TargetDiscoveryName', Value: name },
    { Name: 'ServiceName', Value: serviceName },
    { Name: 'ClusterName', Value: clusterName },
  ];

  beforeAll(async () => {
    // sc-orders: prod's gateway sends 1,000 requests a minute with 10 5xx; a staging gateway calls its own
    // sc-orders (same discovery name in another namespace) with 50 % 5xx; the single-dimension series sums both.
    const scopedCount = (
      metricName: string,
      clusterName: string,
      minute: number,
      value: number
    ): MetricDatum => ({
      MetricName: metricName,
      Dimensions: scopedTo('sc-orders', clusterName, 'gateway'),
      Timestamp: at(minute),
      Value: value,
      Unit: 'Count',
    });
    await put(
      [0, 1, 2, 3, 4].flatMap((m) => [
        scopedCount('HTTPCode_Target_2XX_Count', 'prod', m, 990),
        scopedCount('HTTPCode_Target_5XX_Count', 'prod', m, 10),
        scopedCount('HTTPCode_Target_2XX_Count', 'staging', m, 500),
        scopedCount('HTTPCode_Target_5XX_Count', 'staging', m, 500),
        count('HTTPCode_Target_2XX_Count', 'TargetDiscoveryName', 'sc-orders', m, 1_490),
        count('HTTPCode_Target_5XX_Count', 'TargetDiscoveryName', 'sc-orders', m, 510),
        count('RequestCount', 'DiscoveryName', 'sc-orders', m, 2_000),
      ])
    );
    await put([
      {
        MetricName: 'TargetResponseTime',
        Dimensions: scopedTo('sc-orders', 'prod', 'gateway'),
        Timestamp: at(0),
        Values: [40],
        Counts: [5],
        Unit: 'Milliseconds',
      },
    ]);
    // rc-only: RequestCount and nothing else (appProtocol unset): real traffic, no status codes.
    await put(
      [0, 1, 2, 3, 4].map((m) => count('RequestCount', 'DiscoveryName', 'rc-only', m, 800))
    );
    // gappy: one minute of traffic (minute 4) in a five-minute window.
    await put([count('HTTPCode_Target_2XX_Count', 'TargetDiscoveryName', 'gappy', 4, 5_000)]);
  });

  it('reads a scoped target by TargetDiscoveryName, ServiceName, ClusterName: only that caller, no RequestCount', async () => {
    // Act
    const reading = await source.read(query([scoped], 0, 5));

    // Assess
    expect(reading).toEqual({
      kind: 'ok',
      services: [
        {
          ...scoped,
          http2xx: 5 * 990,
          http3xx: null,
          http4xx: null,
          http5xx: 5 * 10,
          requestCount: null,
          latencySampleCount: 5,
          latencyAvgMs: 40,
          latencyMaxMs: 40,
          latencyP99Ms: null,
          periodStarts: [0, 1, 2, 3, 4].map((m) => at(m).toISOString()),
          periods: [0, 1, 2, 3, 4].map((m) => ({
            start: at(m).toISOString(),
            requests: 1_000,
            errors: 10,
          })),
          byPeriod: [0, 1, 2, 3, 4].map((m) => ({
            start: at(m).toISOString(),
            http2xx: 990,
            http3xx: null,
            http4xx: null,
            http5xx: 10,
            requestCount: null,
            // The seeded latency statistics lie in minute 0.
            latencySampleCount: m === 0 ? 5 : null,
            latencyAvgMs: m === 0 ? 40 : null,
            latencyMaxMs: m === 0 ? 40 : null,
          })),
        },
      ],
    });
  });

  it('judges the scoped series only: staging traffic under the same name does not fail green', async () => {
    // Act
    const reading = await source.read(query([scoped, 'sc-orders'], 0, 5));
    const scopedOnly = evaluate(
      reading,
      null,
      inputWith({ metrics: { greenDiscoveryNames: [scoped] } }),
      query([], 0, 5).window
    );
    const unscoped = evaluate(
      reading,
      null,
      inputWith({ metrics: { greenDiscoveryNames: ['sc-orders'] } }),
      query([], 0, 5).window
    );

    // Assess: 1 % 5xx from prod's gateway passes; the all-cluster sum (25.5 %) would fail
    expect(scopedOnly.verdict).toBe('Pass');
    expect(unscoped.verdict).toBe('Fail');
  });

  it('reports RequestCount without status codes as not measurable (item 8)', async () => {
    // Act
    const reading = await source.read(query(['rc-only'], 0, 5));
    const evaluation = evaluate(
      reading,
      null,
      inputWith({ metrics: { greenDiscoveryNames: ['rc-only'] } }),
      query([], 0, 5).window
    );

    // Assess
    expect(reading).toMatchObject({
      kind: 'ok',
      services: [{ discoveryName: 'rc-only', requestCount: 4_000, http2xx: null, http5xx: null }],
    });
    expect(evaluation.verdict).toBe('Inconclusive');
    expect(evaluation.reason).toContain(
      'no HTTPCode_Target_* datapoints (RequestCount 4,000): error rate not measurable'
    );
  });

  it('reports the periods with data, so one minute in five bakes 60 s (item 9)', async () => {
    // Act
    const reading = await source.read(query(['gappy'], 0, 5));
    const evaluation = evaluate(
      reading,
      null,
      inputWith({ metrics: { greenDiscoveryNames: ['gappy'] } }),
      query([], 0, 5).window
    );

    // Assess
    expect(reading).toMatchObject({
      kind: 'ok',
      services: [{ discoveryName: 'gappy', periodStarts: [at(4).toISOString()] }],
    });
    expect(evaluation).toMatchObject({ verdict: 'Pass', judgedDataSeconds: 60 });
  });

  it('finds HTTP metrics for a scoped target only where that caller published them', async () => {
    // Act
    const found = await source.listDiscoveryNamesWithHttpMetrics(NAMESPACE, [
      scoped,
      { ...scoped, clusterName: 'elsewhere' },
      { discoveryName: 'sc-orders' },
      { discoveryName: 'rc-only' },
    ]);

    // Assess
    expect(found).toEqual([scoped, { discoveryName: 'sc-orders' }]);
  });
});
