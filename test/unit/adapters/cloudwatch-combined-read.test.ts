/**
 * What one evaluation asks GetMetricData for (billed per metric requested), against moto over HTTP with the
 * real SDK client: green's counts first and over the sequential backlog too, the rest only when judgeable.
 * Every query sent is recorded by a middleware on the client.
 */
import {
  CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetricSource } from '../../../functions/adapters/cloudwatch-metric-source.ts';
import { measureOf } from '../../../functions/core/measure.ts';
import type { CombinedQuery, MetricQuery } from '../../../functions/core/state.ts';
import type { MetricReading, ServiceSample } from '../../../functions/core/types.ts';
import { type MetricDataCall, recordMetricDataCalls } from '../../support/metric-data-recorder.ts';
import { clientConfig, type Moto, startMoto } from '../../support/moto.ts';

const MINUTE = 60_000;

let moto: Moto;
let cloudwatch: CloudWatchClient;
let sent: MetricDataCall[] = [];
let t0: number;

const at = (minute: number) => new Date(t0 + minute * MINUTE).toISOString();

function countsOf(name: string, minute: number, requests: number, errors: number): MetricDatum[] {
  const timestamp = new Date(t0 + minute * MINUTE);
  const target = [{ Name: 'TargetDiscoveryName', Value: name }];
  return [
    {
      MetricName: 'HTTPCode_Target_2XX_Count',
      Dimensions: target,
      Timestamp: timestamp,
      Value: requests - errors,
    },
    {
      MetricName: 'HTTPCode_Target_5XX_Count',
      Dimensions: target,
      Timestamp: timestamp,
      Value: errors,
    },
    {
      MetricName: 'RequestCount',
      Dimensions: [{ Name: 'DiscoveryName', Value: name }],
      Timestamp: timestamp,
      Value: requests,
    },
    {
      MetricName: 'TargetResponseTime',
      Dimensions: target,
      Timestamp: timestamp,
      StatisticValues: { SampleCount: 10, Sum: 10 * (70 + minute), Minimum: 50, Maximum: 200 },
    },
  ];
}

/** A minute of RequestCount alone: traffic from callers without Service Connect, no status codes (§1.4). */
function requestsOnly(name: string, minute: number, requests: number): MetricDatum {
  return {
    MetricName: 'RequestCount',
    Dimensions: [{ Name: 'DiscoveryName', Value: name }],
    Timestamp: new Date(t0 + minute * MINUTE),
    Value: requests,
  };
}

beforeAll(async () => {
  moto = await startMoto();
  cloudwatch = new CloudWatchClient(clientConfig(moto.endpoint));
  sent = recordMetricDataCalls(cloudwatch);
  t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE;
  // Green (orders) minutes 0-5, blue (orders-appmesh) minutes 0-5; minute 5 is green's newest.
  const data = [0, 1, 2, 3, 4, 5].flatMap((m) => [
    ...countsOf('orders', m, 100 + m, m),
    ...countsOf('orders-appmesh', m, 200 + m, 1),
  ]);
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: data }));
  // partners: status codes in minutes 0-3, RequestCount alone in minutes 4 and 5 (its newest);
  // partners-appmesh (blue): RequestCount alone in minutes 3-5.
  const gaps = [
    ...[0, 1, 2, 3].flatMap((m) => countsOf('partners', m, 50, 0)),
    requestsOnly('partners', 4, 40),
    requestsOnly('partners', 5, 30),
    ...[3, 4, 5].map((m) => requestsOnly('partners-appmesh', m, 20)),
  ];
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: gaps }));
  // timed-appmesh (blue): latency samples but no status codes in minute 4 (RequestCount 3-5), status codes
  // and latency in minutes 3 and 5.
  const timed = [
    ...[3, 5].flatMap((m) => countsOf('timed-appmesh', m, 30, 0)),
    requestsOnly('timed-appmesh', 4, 25),
    {
      MetricName: 'TargetResponseTime',
      Dimensions: [{ Name: 'TargetDiscoveryName', Value: 'timed-appmesh' }],
      Timestamp: new Date(t0 + 4 * MINUTE),
      StatisticValues: { SampleCount: 5, Sum: 5 * 90, Minimum: 50, Maximum: 200 },
    },
  ];
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: timed }));
});

afterAll(async () => {
  cloudwatch?.destroy();
  await moto?.stop();
});

beforeEach(() => {
  sent.length = 0;
});

const side = (name: string, start: number, end: number): MetricQuery => ({
  namespace: 'AWS/ECS',
  targets: [{ discoveryName: name }],
  window: { start: at(start), end: at(end) },
  periodSeconds: 60,
  includeP99: false,
  includeLatencyAvg: true,
  includeLatencyMax: false,
});

/** The window is minutes 3-5 (end exclusive at 6); the backlog minutes 1-2. */
const combined = (extra: Partial<CombinedQuery> = {}): CombinedQuery => ({
  green: side('orders', 3, 6),
  blue: side('orders-appmesh', 3, 6),
  series: [],
  ...extra,
});

const servicesOf = (reading: MetricReading | null | undefined): ServiceSample[] =>
  reading?.kind === 'ok' ? reading.services : [];
const ids = (call: MetricDataCall | undefined) => (call?.queries ?? []).map((q) => q.Id).sort();
const COUNT_IDS = ['gn0_http2xx', 'gn0_http3xx', 'gn0_http4xx', 'gn0_http5xx'];
const requestCountIds = (calls: readonly MetricDataCall[]) =>
  calls
    .flatMap((call) => call.queries.map((q) => q.Id ?? ''))
    .filter((id) => id.endsWith('_requestCount'));

describe('Function: readCombined (through CloudWatchMetricSource.readAll), against moto', () => {
  it('reads everything in one call when there is neither a backlog nor a publication look', async () => {
    // Act
    const source = new CloudWatchMetricSource(cloudwatch);
    const reading = await source.readAll(combined());
    const noBacklog = await source.readAll(combined({ backlogFrom: null }));

    // Assess: 4 status counts + Average + SampleCount per side, no RequestCount (status codes in every minute);
    // a backlog only when asked for (null: none)
    expect(sent).toHaveLength(2);
    expect(sent[0]?.queries).toHaveLength(12);
    expect(requestCountIds(sent)).toEqual([]);
    expect(reading.backlog).toBeUndefined();
    expect(noBacklog.backlog).toBeNull();
    expect(reading.green).toMatchObject({
      kind: 'ok',
      services: [{ http2xx: 312 - 12, http5xx: 12, requestCount: null }],
    });
  });

  it('reads the backlog on green’s count queries (from the backlog start), billing no extra metric', async () => {
    // Act
    const source = new CloudWatchMetricSource(cloudwatch);
    const reading = await source.readAll(combined({ backlogFrom: at(1) }));
    const calls = sent.splice(0);
    const alone = await source.readAll(combined());
    const backlogAlone = await source.read({
      ...side('orders', 1, 3),
      includeLatencyAvg: false,
    });

    // Assess
    expect(calls.map((call) => [call.start, call.end])).toEqual([
      [at(1), at(6)],
      [at(3), at(6)],
    ]);
    expect(ids(calls[0])).toEqual(COUNT_IDS);
    expect(calls.flatMap((call) => call.queries)).toHaveLength(12);
    expect(reading.green).toEqual(alone.green);
    expect(reading.blue).toEqual(alone.blue);
    expect(reading.backlog).toEqual(backlogAlone);
    expect(reading.backlog).toMatchObject({
      kind: 'ok',
      services: [{ http2xx: 101 + 102 - 3, http5xx: 3, requestCount: null }],
    });
  });

  it('stops after green’s counts when the look finds the window not judgeable', async () => {
    // Act
    const reading = await new CloudWatchMetricSource(cloudwatch).readAll(
      combined({ judgeable: () => false })
    );

    // Assess
    expect(sent).toHaveLength(1);
    expect(ids(sent[0])).toEqual(COUNT_IDS);
    expect(reading.blue).toBeNull();
    expect(reading.series.kind).toBe('unavailable');
    expect(reading.green).toMatchObject({
      kind: 'ok',
      services: [{ http2xx: 300, requestCount: null, latencyAvgMs: null }],
    });
  });

  it('hands the look green’s counts of the window only, then reads the rest when judgeable', async () => {
    // Prepare
    const looked: unknown[] = [];

    // Act
    const source = new CloudWatchMetricSource(cloudwatch);
    const reading = await source.readAll(
      combined({
        backlogFrom: at(1),
        judgeable: (green) => {
          looked.push(green);
          return true;
        },
      })
    );
    sent.length = 0;
    const alone = await source.readAll(combined());

    // Assess
    expect(looked).toEqual([
      {
        kind: 'ok',
        services: [expect.objectContaining({ http2xx: 300, periodStarts: [at(3), at(4), at(5)] })],
      },
    ]);
    expect(reading.green).toEqual(alone.green);
    expect(reading.blue).toEqual(alone.blue);
  });

  it('reads RequestCount, in one more call, only for the names whose status counts miss a minute', async () => {
    // Act
    const reading = await new CloudWatchMetricSource(cloudwatch).readAll({
      green: {
        ...side('orders', 3, 6),
        targets: [{ discoveryName: 'orders' }, { discoveryName: 'partners' }],
      },
      blue: {
        ...side('orders-appmesh', 3, 6),
        targets: [{ discoveryName: 'orders-appmesh' }, { discoveryName: 'partners-appmesh' }],
      },
      series: [],
    });

    // Assess: partners has minutes 4-5 without status codes, partners-appmesh has none at all
    expect(sent.map((call) => call.queries.length)).toEqual([24, 2]);
    expect(ids(sent[1])).toEqual(['bn1_requestCount', 'gn1_requestCount']);
    const [orders, partners] = servicesOf(reading.green);
    expect(orders).toMatchObject({ requestCount: null, periodStarts: [at(3), at(4), at(5)] });
    // The minutes with RequestCount alone still count as minutes with data (publication, bake, slices).
    expect(partners).toMatchObject({
      http2xx: 50,
      requestCount: 50 + 40 + 30,
      periodStarts: [at(3), at(4), at(5)],
    });
    expect(partners?.byPeriod?.map((part) => part.requestCount)).toEqual([50, 40, 30]);
    // Blue's traffic without status codes is still traffic (requests), not a measurable error rate; its
    // RequestCount is read because orders-appmesh's latency average makes blue's requests a baseline's.
    const blueWithoutStatus = servicesOf(reading.blue)[1];
    expect(blueWithoutStatus && measureOf(blueWithoutStatus)).toMatchObject({
      requests: 60,
      statusRequests: null,
    });
  });

  it('reads the RequestCount a publication look needs before the look decides', async () => {
    // Prepare
    const looked: MetricReading[] = [];

    // Act
    await new CloudWatchMetricSource(cloudwatch).readAll({
      green: side('partners', 3, 6),
      blue: null,
      series: [],
      backlogFrom: at(1),
      judgeable: (green) => {
        looked.push(green);
        return true;
      },
    });

    // Assess: counts over the backlog, then RequestCount over the same range, then the latency
    expect(sent.map((call) => [call.start, call.end, ids(call)])).toEqual([
      [at(1), at(6), COUNT_IDS],
      [at(1), at(6), ['gn0_requestCount']],
      [at(3), at(6), ['gn0_latencyAvg', 'gn0_latencySamples']],
    ]);
    // Minute 5 has RequestCount alone: published, as when RequestCount was always read.
    expect(servicesOf(looked[0])).toEqual([
      expect.objectContaining({ requestCount: 50 + 40 + 30, periodStarts: [at(3), at(4), at(5)] }),
    ]);
  });

  it.each([
    { read: 'in one call', extra: {} },
    { read: 'after green’s counts', extra: { judgeable: () => true } },
  ])(
    'reads no RequestCount for a blue without datapoints (all traffic on green), $read',
    async ({ extra }) => {
      // Act
      const reading = await new CloudWatchMetricSource(cloudwatch).readAll({
        green: side('orders', 3, 6),
        blue: side('silent-appmesh', 3, 6),
        series: [],
        ...extra,
      });

      // Assess: blue's requests are unknown, and nothing that needs them is there (no latency average)
      expect(requestCountIds(sent)).toEqual([]);
      const [silent] = servicesOf(reading.blue);
      expect(silent && measureOf(silent)).toMatchObject({ requests: null, latencyAvgMs: null });
    }
  );

  it('reads blue’s RequestCount for a minute with latency samples but no status codes', async () => {
    // Act
    const reading = await new CloudWatchMetricSource(cloudwatch).readAll({
      green: side('orders', 3, 6),
      blue: side('timed-appmesh', 3, 6),
      series: [],
      judgeable: () => true,
    });

    // Assess: after green's counts and the rest, blue's RequestCount over the window
    expect(sent.map((call) => [call.start, call.end, requestCountIds([call])])).toEqual([
      [at(3), at(6), []],
      [at(3), at(6), []],
      [at(3), at(6), ['bn0_requestCount']],
    ]);
    const [timed] = servicesOf(reading.blue);
    expect(timed?.byPeriod?.map((part) => part.requestCount)).toEqual([30, 25, 30]);
    // Minute 4 alone (a quiet look's slice) has blue's requests from RequestCount beside its latency.
    expect(timed?.byPeriod?.[1]).toMatchObject({ http2xx: null, requestCount: 25 });
  });
});
