import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  ListMetricsCommand,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetricSource } from '../../../functions/adapters/cloudwatch-metric-source.ts';
import type { MetricQuery } from '../../../functions/core/state.ts';

const cloudwatch = mockClient(CloudWatchClient);

const START = '2026-09-14T10:00:00.000Z';
const END = '2026-09-14T10:05:00.000Z';
const minute = (m: number) => new Date(Date.parse(START) + m * 60_000);

const baseQuery: MetricQuery = {
  namespace: 'AWS/ECS',
  targets: [{ discoveryName: 'orders' }],
  window: { start: START, end: END },
  periodSeconds: 60,
  includeP99: false,
  includeLatencyAvg: true,
  includeLatencyMax: true,
};

/** Scripted series by query id; ids absent here come back Complete with no datapoints. */
type Script = Record<string, [number, number][]>;

function answer(
  input: GetMetricDataCommandInput,
  script: Script
): Partial<GetMetricDataCommandOutput> {
  return {
    MetricDataResults: (input.MetricDataQueries ?? []).map(
      (q): MetricDataResult => ({
        Id: q.Id,
        StatusCode: 'Complete',
        Timestamps: (script[q.Id!] ?? []).map(([m]) => minute(m)),
        Values: (script[q.Id!] ?? []).map(([, v]) => v),
      })
    ),
  };
}

let source: CloudWatchMetricSource;

beforeEach(() => {
  cloudwatch.reset();
  source = new CloudWatchMetricSource(new CloudWatchClient({ region: 'us-east-1' }));
});

describe('Method: read', () => {
  it('asks for raw MetricStat series by the documented dimensions, with no Unit and no expression', async () => {
    // Prepare: no datapoints, so the status counts leave every minute uncovered and RequestCount follows
    cloudwatch.on(GetMetricDataCommand).callsFake((input) => answer(input, {}));

    // Act
    await source.read(baseQuery);

    // Assess
    const dims = (dimension: string) => [{ Name: dimension, Value: 'orders' }];
    const stat = (id: string, metric: string, dimension: string, statistic: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: 'AWS/ECS', MetricName: metric, Dimensions: dims(dimension) },
        Period: 60,
        Stat: statistic,
      },
      ReturnData: true,
    });
    expect(cloudwatch).toReceiveCommandTimes(GetMetricDataCommand, 2);
    expect(cloudwatch).toReceiveNthCommandWith(GetMetricDataCommand, 1, {
      StartTime: new Date(START),
      EndTime: new Date(END),
      MetricDataQueries: [
        stat('n0_http2xx', 'HTTPCode_Target_2XX_Count', 'TargetDiscoveryName', 'Sum'),
        stat('n0_http3xx', 'HTTPCode_Target_3XX_Count', 'TargetDiscoveryName', 'Sum'),
        stat('n0_http4xx', 'HTTPCode_Target_4XX_Count', 'TargetDiscoveryName', 'Sum'),
        stat('n0_http5xx', 'HTTPCode_Target_5XX_Count', 'TargetDiscoveryName', 'Sum'),
        stat('n0_latencyAvg', 'TargetResponseTime', 'TargetDiscoveryName', 'Average'),
        stat('n0_latencyMax', 'TargetResponseTime', 'TargetDiscoveryName', 'Maximum'),
        stat('n0_latencySamples', 'TargetResponseTime', 'TargetDiscoveryName', 'SampleCount'),
      ],
    });
    expect(cloudwatch).toReceiveNthCommandWith(GetMetricDataCommand, 2, {
      StartTime: new Date(START),
      EndTime: new Date(END),
      MetricDataQueries: [stat('n0_requestCount', 'RequestCount', 'DiscoveryName', 'Sum')],
    });
  });

  it.each([
    {
      asked: { includeP99: false, includeLatencyAvg: false, includeLatencyMax: false },
      stats: ['http2xx Sum', 'http3xx Sum', 'http4xx Sum', 'http5xx Sum'],
    },
    {
      asked: { includeP99: false, includeLatencyAvg: true, includeLatencyMax: false },
      stats: [
        'http2xx Sum',
        'http3xx Sum',
        'http4xx Sum',
        'http5xx Sum',
        'latencyAvg Average',
        'latencySamples SampleCount',
      ],
    },
    {
      asked: { includeP99: false, includeLatencyAvg: false, includeLatencyMax: true },
      stats: [
        'http2xx Sum',
        'http3xx Sum',
        'http4xx Sum',
        'http5xx Sum',
        'latencyMax Maximum',
        'latencySamples SampleCount',
      ],
    },
    {
      asked: { includeP99: true, includeLatencyAvg: false, includeLatencyMax: false },
      stats: [
        'http2xx Sum',
        'http3xx Sum',
        'http4xx Sum',
        'http5xx Sum',
        'latencySamples SampleCount',
        'latencyP99 p99',
      ],
    },
  ])(
    'asks for exactly the statistics the checks need (GetMetricData bills each): $asked',
    async ({ asked, stats }) => {
      // Prepare: a status count in every minute of the window, so no RequestCount is needed
      const everyMinute: [number, number][] = [0, 1, 2, 3, 4].map((m) => [m, 10]);
      cloudwatch
        .on(GetMetricDataCommand)
        .callsFake((input) => answer(input, { n0_http2xx: everyMinute }));

      // Act
      const reading = await source.read({ ...baseQuery, ...asked });

      // Assess
      const requested = cloudwatch
        .commandCalls(GetMetricDataCommand)
        .flatMap((call) => call.args[0].input.MetricDataQueries ?? [])
        .map((q) => `${q.Id?.replace('n0_', '')} ${q.MetricStat?.Stat}`);
      expect(requested).toEqual(stats);
      expect(reading.kind).toBe('ok');
    }
  );

  it('aggregates: sums, sample-weighted average on matching timestamps, maximum, and null for no datapoints', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).callsFake((input) =>
      answer(input, {
        n0_http2xx: [
          [0, 100],
          [1, 200],
        ],
        n0_http5xx: [
          [0, 0],
          [1, 0],
        ],
        n0_requestCount: [[0, 310]],
        // minute 2 has an average but no SampleCount: it cannot be weighted and is left out
        n0_latencyAvg: [
          [0, 10],
          [1, 40],
          [2, 999],
        ],
        n0_latencySamples: [
          [0, 30],
          [1, 10],
        ],
        n0_latencyMax: [
          [0, 80],
          [1, 120],
        ],
      })
    );

    // Act
    const reading = await source.read(baseQuery);

    // Assess
    expect(reading).toEqual({
      kind: 'ok',
      services: [
        {
          discoveryName: 'orders',
          http2xx: 300,
          http3xx: null,
          http4xx: null,
          http5xx: 0,
          requestCount: 310,
          latencySampleCount: 40,
          latencyAvgMs: (10 * 30 + 40 * 10) / 40,
          latencyMaxMs: 120,
          latencyP99Ms: null,
          // The periods with a request count datapoint: latency series do not count (minute 2 is latency only).
          periodStarts: [minute(0).toISOString(), minute(1).toISOString()],
          periods: [
            { start: minute(0).toISOString(), requests: 100, errors: 0 },
            { start: minute(1).toISOString(), requests: 200, errors: 0 },
          ],
          // Each minute's own values (core/reading-slice.ts cuts a long read per minute with them).
          byPeriod: [
            {
              start: minute(0).toISOString(),
              http2xx: 100,
              http3xx: null,
              http4xx: null,
              http5xx: 0,
              requestCount: 310,
              latencySampleCount: 30,
              latencyAvgMs: 10,
              latencyMaxMs: 80,
            },
            {
              start: minute(1).toISOString(),
              http2xx: 200,
              http3xx: null,
              http4xx: null,
              http5xx: 0,
              requestCount: null,
              latencySampleCount: 10,
              latencyAvgMs: 40,
              latencyMaxMs: 120,
            },
            {
              start: minute(2).toISOString(),
              http2xx: null,
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

  it('reports the starts of the periods with a datapoint in any status or RequestCount series as periodStarts', async () => {
    // Prepare: newest first, as GetMetricData returns by default; RequestCount reaches furthest, latency
    // further still but does not count.
    cloudwatch.on(GetMetricDataCommand).callsFake((input) =>
      answer(input, {
        n0_http2xx: [
          [2, 100],
          [0, 100],
        ],
        n0_http4xx: [[1, 3]],
        n0_requestCount: [
          [3, 90],
          [1, 110],
        ],
        n0_latencyMax: [[4, 80]],
      })
    );

    // Act
    const reading = await source.read(baseQuery);

    // Assess
    expect(reading).toMatchObject({
      kind: 'ok',
      services: [
        {
          discoveryName: 'orders',
          periodStarts: [0, 1, 2, 3].map((m) => minute(m).toISOString()),
        },
      ],
    });
  });

  it('reports per period the status-coded requests and the 5xx among them, for the sequential test', async () => {
    // Prepare: newest first; minute 1 has no 5xx datapoint (0), minute 3 only RequestCount (no status: no period)
    cloudwatch.on(GetMetricDataCommand).callsFake((input) =>
      answer(input, {
        n0_http2xx: [
          [2, 90],
          [1, 100],
          [0, 95],
        ],
        n0_http4xx: [[1, 5]],
        n0_http5xx: [
          [2, 10],
          [0, 5],
        ],
        n0_requestCount: [[3, 70]],
      })
    );

    // Act
    const reading = await source.read(baseQuery);

    // Assess
    expect(reading).toMatchObject({
      kind: 'ok',
      services: [
        {
          periods: [
            { start: minute(0).toISOString(), requests: 100, errors: 5 },
            { start: minute(1).toISOString(), requests: 105, errors: 0 },
            { start: minute(2).toISOString(), requests: 100, errors: 10 },
          ],
        },
      ],
    });
  });

  it('reports no periodStarts when no request series has a datapoint', async () => {
    // Prepare: latency only
    cloudwatch
      .on(GetMetricDataCommand)
      .callsFake((input) =>
        answer(input, { n0_latencyMax: [[4, 80]], n0_latencySamples: [[4, 12]] })
      );

    // Act
    const reading = await source.read(baseQuery);

    // Assess
    expect(reading).toMatchObject({
      kind: 'ok',
      services: [{ discoveryName: 'orders', http2xx: null, periodStarts: [] }],
    });
  });

  it('builds query ids from the index, never from the discovery name', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).callsFake((input) => answer(input, {}));

    // Act
    await source.read({
      ...baseQuery,
      targets: ['Orders-API', '9lives', 'a.b c'].map((discoveryName) => ({ discoveryName })),
    });

    // Assess
    const ids = (
      cloudwatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input.MetricDataQueries ?? []
    ).map((q) => q.Id);
    expect(ids).toHaveLength(21);
    expect(ids.every((id) => /^[a-z][a-zA-Z0-9_]*$/.test(id ?? ''))).toBe(true);
  });

  it('splits more than 500 queries into calls of at most 500', async () => {
    // Prepare: 72 names x 7 queries = 504, each name with a status count in every minute (no RequestCount)
    const names = Array.from({ length: 72 }, (_, i) => `svc-${i}`);
    const script: Script = Object.fromEntries(
      names.map((_, i) => [`n${i}_http2xx`, [0, 1, 2, 3, 4].map((m) => [m, i === 71 ? 1 : 2])])
    );
    cloudwatch.on(GetMetricDataCommand).callsFake((input) => answer(input, script));

    // Act
    const reading = await source.read({
      ...baseQuery,
      targets: names.map((discoveryName) => ({ discoveryName })),
    });

    // Assess
    const calls = cloudwatch.commandCalls(GetMetricDataCommand);
    expect(calls.map((call) => call.args[0].input.MetricDataQueries?.length)).toEqual([500, 4]);
    expect(reading.kind === 'ok' && reading.services[71]?.http2xx).toBe(5);
  });

  it('follows NextToken and merges the pages; PartialData before the last page is fine', async () => {
    // Prepare
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'n0_http2xx', StatusCode: 'PartialData', Timestamps: [minute(0)], Values: [7] },
        ],
        NextToken: 'page-2',
      })
      .callsFake((input) => answer(input, { n0_http2xx: [[1, 3]] }));

    // Act
    const reading = await source.read(baseQuery);

    // Assess
    expect(reading).toMatchObject({ kind: 'ok', services: [{ http2xx: 10 }] });
    expect(cloudwatch).toReceiveNthCommandWith(GetMetricDataCommand, 2, { NextToken: 'page-2' });
  });

  it.each(['PartialData', 'InternalError', 'Forbidden'] as const)(
    'reports %s on the last page as unavailable',
    async (statusCode) => {
      // Prepare
      cloudwatch.on(GetMetricDataCommand).callsFake((input) => {
        const out = answer(input, {});
        out.MetricDataResults![3]!.StatusCode = statusCode;
        return out;
      });

      // Act
      const reading = await source.read(baseQuery);

      // Assess
      expect(reading).toEqual({
        kind: 'unavailable',
        reason: `HTTPCode_Target_5XX_Count Sum of orders: status ${statusCode}`,
      });
    }
  );

  it('reports top-level and per-result messages as unavailable', async () => {
    // Prepare
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [],
        Messages: [
          { Code: 'MaxMetricsExceeded', Value: 'Maximum number of allowed metrics exceeded' },
        ],
      })
      .callsFake((input) => {
        const out = answer(input, {});
        out.MetricDataResults![0]!.Messages = [{ Code: 'Warning', Value: 'something odd' }];
        return out;
      });

    // Act
    const first = await source.read(baseQuery);
    const second = await source.read(baseQuery);

    // Assess
    expect(first).toEqual({
      kind: 'unavailable',
      reason: 'GetMetricData: MaxMetricsExceeded Maximum number of allowed metrics exceeded',
    });
    expect(second).toEqual({
      kind: 'unavailable',
      reason: 'HTTPCode_Target_2XX_Count Sum of orders: Warning something odd',
    });
  });

  it('reports a result missing from the response as unavailable', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).callsFake((input) => {
      const out = answer(input, {});
      out.MetricDataResults!.pop();
      return out;
    });

    // Act
    const reading = await source.read(baseQuery);

    // Assess
    expect(reading).toEqual({
      kind: 'unavailable',
      reason: 'TargetResponseTime SampleCount of orders: no result returned',
    });
  });

  it('reports an SDK error as unavailable instead of throwing', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).rejects(
      new CloudWatchServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: {},
        message: 'Rate exceeded',
      })
    );

    // Act
    const reading = await source.read(baseQuery);

    // Assess
    expect(reading).toEqual({
      kind: 'unavailable',
      reason: 'GetMetricData failed: ThrottlingException: Rate exceeded',
    });
  });

  it.each([
    ['read', (q: MetricQuery) => source.read(q)],
    [
      'readAll',
      (q: MetricQuery) =>
        source.readAll({ green: q, blue: null, series: [] }).then((reading) => reading.green),
    ],
  ] as const)(
    'reports a throttled RequestCount call (%s) as unavailable, as the first call failing would (aws-sdk-client-mock: moto does not throttle)',
    async (_method, readGreen) => {
      // Prepare: a minute without status codes, so RequestCount is asked in a second call, which is throttled
      cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
        if (input.MetricDataQueries?.[0]?.Id?.endsWith('requestCount')) {
          throw new CloudWatchServiceException({
            name: 'ThrottlingException',
            $fault: 'client',
            $metadata: {},
            message: 'Rate exceeded',
          });
        }
        return answer(input, { n0_http2xx: [[0, 1]] });
      });

      // Act
      const reading = await readGreen(baseQuery);

      // Assess
      expect(cloudwatch).toReceiveCommandTimes(GetMetricDataCommand, 2);
      expect(reading).toEqual({
        kind: 'unavailable',
        reason: 'GetMetricData failed: ThrottlingException: Rate exceeded',
      });
    }
  );

  it('asks for p99 in its own call, over one period spanning the window', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).callsFake((input) =>
      answer(input, {
        n0_http2xx: [0, 1, 2, 3, 4].map((m) => [m, 1]),
        n0_latencyP99: [[0, 250]],
      })
    );

    // Act
    const reading = await source.read({ ...baseQuery, includeP99: true });

    // Assess
    expect(reading).toMatchObject({ kind: 'ok', services: [{ http2xx: 5, latencyP99Ms: 250 }] });
    expect(cloudwatch).toReceiveNthCommandWith(GetMetricDataCommand, 2, {
      MetricDataQueries: [
        {
          Id: 'n0_latencyP99',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ECS',
              MetricName: 'TargetResponseTime',
              Dimensions: [{ Name: 'TargetDiscoveryName', Value: 'orders' }],
            },
            Period: 300,
            Stat: 'p99',
          },
          ReturnData: true,
        },
      ],
    });
  });

  it('keeps the reading when the p99 call fails: p99 is null', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      if (input.MetricDataQueries?.[0]?.MetricStat?.Stat === 'p99') {
        throw new CloudWatchServiceException({
          name: 'InternalServiceFault',
          $fault: 'server',
          $metadata: {},
          message: 'boom',
        });
      }
      return answer(input, { n0_http2xx: [[0, 42]] });
    });

    // Act
    const reading = await source.read({ ...baseQuery, includeP99: true });

    // Assess
    expect(reading).toMatchObject({ kind: 'ok', services: [{ http2xx: 42, latencyP99Ms: null }] });
  });

  it('keeps the reading when p99 comes back Forbidden: p99 is null', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      const out = answer(input, { n0_latencyP99: [[0, 250]] });
      if (input.MetricDataQueries?.[0]?.MetricStat?.Stat === 'p99')
        out.MetricDataResults![0]!.StatusCode = 'Forbidden';
      return out;
    });

    // Act
    const reading = await source.read({ ...baseQuery, includeP99: true });

    // Assess
    expect(reading).toMatchObject({ kind: 'ok', services: [{ latencyP99Ms: null }] });
  });

  it('makes no call for no discovery names', async () => {
    // Act
    const reading = await source.read({ ...baseQuery, targets: [], includeP99: true });

    // Assess
    expect(reading).toEqual({ kind: 'ok', services: [] });
    expect(cloudwatch).not.toReceiveAnyCommand();
  });
});

describe('Method: listDiscoveryNamesWithHttpMetrics', () => {
  it('returns the wanted names that publish 2xx or 5xx, following NextToken', async () => {
    // Prepare
    const metric = (name: string, extra: { Name: string; Value: string }[] = []) => ({
      Namespace: 'AWS/ECS',
      Dimensions: [{ Name: 'TargetDiscoveryName', Value: name }, ...extra],
    });
    cloudwatch
      .on(ListMetricsCommand, { MetricName: 'HTTPCode_Target_2XX_Count' })
      .resolvesOnce({ Metrics: [metric('orders'), metric('unrelated')], NextToken: 'n2' })
      .resolvesOnce({ Metrics: [metric('payments', [{ Name: 'ServiceName', Value: 'client' }])] })
      .on(ListMetricsCommand, { MetricName: 'HTTPCode_Target_5XX_Count' })
      .resolves({ Metrics: [metric('errors-only')] });

    // Act
    const names = await source.listDiscoveryNamesWithHttpMetrics(
      'AWS/ECS',
      ['errors-only', 'payments', 'silent', 'orders'].map((discoveryName) => ({ discoveryName }))
    );

    // Assess
    expect(names.map((t) => t.discoveryName)).toEqual(['errors-only', 'payments', 'orders']);
    expect(cloudwatch).toReceiveCommandWith(ListMetricsCommand, {
      Namespace: 'AWS/ECS',
      MetricName: 'HTTPCode_Target_2XX_Count',
      Dimensions: [{ Name: 'TargetDiscoveryName' }],
      RecentlyActive: 'PT3H',
      NextToken: 'n2',
    });
  });
});

describe('Method: listDiscoveryNamesWithHttpMetrics, transient errors', () => {
  it.each([
    {
      name: 'Throttling',
      error: Object.assign(new Error('Rate exceeded'), {
        name: 'Throttling',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    },
    {
      name: 'a 503',
      error: Object.assign(new Error('Service Unavailable'), {
        name: 'ServiceUnavailable',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
      }),
    },
  ])('turns $name into CloudWatchBusyError, which the state machine retries', async ({ error }) => {
    // Prepare
    cloudwatch.on(ListMetricsCommand).rejects(error);

    // Act + Assess
    await expect(
      new CloudWatchMetricSource(new CloudWatchClient({})).listDiscoveryNamesWithHttpMetrics(
        'AWS/ECS',
        [{ discoveryName: 'orders' }]
      )
    ).rejects.toMatchObject({ name: 'CloudWatchBusyError' });
  });

  it('passes an access error through unchanged', async () => {
    // Prepare
    cloudwatch.on(ListMetricsCommand).rejects(
      Object.assign(new Error('denied'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      })
    );

    // Act + Assess
    await expect(
      new CloudWatchMetricSource(new CloudWatchClient({})).listDiscoveryNamesWithHttpMetrics(
        'AWS/ECS',
        [{ discoveryName: 'orders' }]
      )
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
