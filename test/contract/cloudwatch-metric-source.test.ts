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
import type { MetricQuery } from '../../functions/core/state.ts';
import type { DiscoveryTarget } from '../../functions/core/types.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';

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
          requestCount: 550,
          latencySampleCount: 40,
          // (10 x 10 + 100 x 30) / 40
          latencyAvgMs: 77.5,
          latencyMaxMs: 150,
          latencyP99Ms: null,
          // The newest request datapoint inside the window (minute 5 lies outside it).
          periodStarts: [0, 1, 2, 3, 4].map((m) => at(m).toISOString()),
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
        },
      ],
    });
  });

  it('returns nulls, not zeros, for a window without datapoints', async () => {
    // Act
    const reading = await source.read(query(['orders', 'payments'], -20, -15));

    // Assess
    expect(reading.kind).toBe('ok');
    if (reading.kind !== 'ok') return;
    for (const service of reading.services) {
      const { discoveryName, ...values } = service;
      expect(Object.values(values)).toEqual(Array(10).fill(null));
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
