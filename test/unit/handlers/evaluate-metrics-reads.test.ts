/**
 * Which metrics EvaluateMetrics asks GetMetricData for (billed per metric requested), with the real
 * CloudWatchMetricSource against moto over HTTP: a publication look that finds green's newest minute missing
 * asks for green's status counts only (and RequestCount, as the newest minute has no status count); a judged
 * evaluation asks for each statistic once, the sequential backlog riding on green's count queries, and no
 * RequestCount where every minute has a status count.
 */
import {
  CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetricSource } from '../../../functions/adapters/cloudwatch-metric-source.ts';
import { newRunState } from '../../../functions/core/run.ts';
import { initialSequentialState } from '../../../functions/core/sequential.ts';
import type { RunState } from '../../../functions/core/state.ts';
import { evaluateMetrics } from '../../../functions/handlers/evaluate-metrics.ts';
import { type MetricDataCall, recordMetricDataCalls } from '../../support/metric-data-recorder.ts';
import { clientConfig, type Moto, startMoto } from '../../support/moto.ts';
import { serviceConnectMinute } from '../../support/service-connect-minute.ts';
import { inputWith, pairWith } from '../core/fixtures.ts';

const MINUTE = 60_000;

interface SentCall {
  start: string;
  ids: string[];
}

/** The GetMetricData requests sent so far: their start and query ids (sorted). */
const sentCalls = (): SentCall[] =>
  calls.map((call) => ({ start: call.start, ids: call.queries.map((q) => q.Id ?? '').sort() }));

let moto: Moto;
let cloudwatch: CloudWatchClient;
let calls: MetricDataCall[];
let t0: number;

const at = (minute: number) => new Date(t0 + minute * MINUTE).toISOString();

const minuteOf = (name: string, minute: number): MetricDatum[] =>
  serviceConnectMinute(name, new Date(t0 + minute * MINUTE), { requestCount: true });

beforeAll(async () => {
  moto = await startMoto();
  cloudwatch = new CloudWatchClient(clientConfig(moto.endpoint));
  calls = recordMetricDataCalls(cloudwatch);
  t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 120 * MINUTE;
  // Minutes 0-4 of green (orders) and blue (orders-blue); minute 5 is never published.
  const data = [0, 1, 2, 3, 4].flatMap((m) => [
    ...minuteOf('orders', m),
    ...minuteOf('orders-blue', m),
  ]);
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: data }));
});

afterAll(async () => {
  cloudwatch?.destroy();
  await moto?.stop();
});

beforeEach(() => {
  calls.length = 0;
});

/** Baking at 10 % since minute `from`; green orders, blue orders-blue (the baseline reads blue). */
function baking(from: number, windowFrom: number): RunState {
  const input = inputWith({
    metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
  });
  const state = newRunState(
    input,
    {
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:ts:self',
      executionName: 'self',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
      startedAt: at(from),
      generation: 1,
      continuedFrom: null,
    },
    [pairWith({ blue: 90, green: 10 })]
  );
  return {
    ...state,
    next: 'bake',
    status: {
      ...state.status,
      greenPercent: 10,
      judgingFrom: at(from),
      windowFrom: at(windowFrom),
    },
  } as RunState;
}

const clockAt = (ms: number) => ({ now: () => new Date(ms) });
const GREEN_COUNTS = ['n0_http2xx', 'n0_http3xx', 'n0_http4xx', 'n0_http5xx'];
const REQUEST_COUNT = ['n0_requestCount'];
const prefixed = (prefix: string, ids: readonly string[]) => ids.map((id) => `${prefix}${id}`);
const LATENCY = ['n0_latencyAvg', 'n0_latencySamples'];

describe('Handler: evaluateMetrics, the GetMetricData queries it sends (moto)', () => {
  it('a look that finds the newest minute unpublished asks for green’s counts only', async () => {
    // Act: window minutes 3-5 at 90 s after minute 5 ends; minute 5 is not published
    const state = await evaluateMetrics(baking(3, 3), {
      metrics: new CloudWatchMetricSource(cloudwatch),
      clock: clockAt(t0 + 6 * MINUTE + 90_000),
    });

    // Assess
    expect(state.evaluation).toBeNull();
    expect(state.waitSeconds).toBe(30);
    // Minute 5 has no status count: RequestCount could still show it published, so it is read too.
    expect(sentCalls()).toEqual([
      { start: at(3), ids: prefixed('g', GREEN_COUNTS).sort() },
      { start: at(3), ids: prefixed('g', REQUEST_COUNT) },
    ]);
  });

  it('a judged window asks for every statistic once: green’s counts, then latency and blue', async () => {
    // Act: window minutes 2-4, all published
    const state = await evaluateMetrics(baking(2, 2), {
      metrics: new CloudWatchMetricSource(cloudwatch),
      clock: clockAt(t0 + 5 * MINUTE + 90_000),
    });

    // Assess
    expect(state.evaluation?.window).toEqual({ start: at(2), end: at(5) });
    expect(sentCalls()).toEqual([
      { start: at(2), ids: prefixed('g', GREEN_COUNTS).sort() },
      {
        start: at(2),
        ids: [...prefixed('g', LATENCY), ...prefixed('b', [...GREEN_COUNTS, ...LATENCY])].sort(),
      },
    ]);
  });

  it('with no look left before the publication bound, reads everything in one call', async () => {
    // Act: 135 s after minute 5 ended, a look 30 s later would pass the 150-s bound (publicationDelaySeconds):
    // minute 5 is judged as it is
    const state = await evaluateMetrics(baking(3, 3), {
      metrics: new CloudWatchMetricSource(cloudwatch),
      clock: clockAt(t0 + 6 * MINUTE + 135_000),
    });

    // Assess
    expect(state.evaluation?.window).toEqual({ start: at(3), end: at(6) });
    // Then green's RequestCount: minute 5 has no status count. Not blue's: no blue latency datapoint stands in
    // a minute without status codes, so its RequestCount could change no verdict.
    expect(sentCalls().map((call) => call.ids.length)).toEqual([12, 1]);
    expect(sentCalls()[1]?.ids).toEqual(prefixed('g', REQUEST_COUNT));
  });

  it('reads the sequential backlog on green’s count queries, from where the tests stopped', async () => {
    // Prepare: the tests folded minutes up to 1; the window starts at 3 (minutes 1-2 were the ramp)
    const base = baking(0, 3);
    const state: RunState = {
      ...base,
      status: {
        ...base.status,
        sequential: { errorRate: { ...initialSequentialState(), consumedUntil: at(1) } },
      },
    };

    const clock = clockAt(t0 + 5 * MINUTE + 135_000);
    const source = new CloudWatchMetricSource(cloudwatch);

    // Act
    const judged = await evaluateMetrics(state, { metrics: source, clock });
    const firstCalls = sentCalls();
    // The same evaluation through a source that reads each side and the backlog on its own.
    const separately = await evaluateMetrics(state, {
      metrics: {
        read: (query) => source.read(query),
        listDiscoveryNamesWithHttpMetrics: (namespace, targets) =>
          source.listDiscoveryNamesWithHttpMetrics(namespace, targets),
      },
      clock,
    });

    // Assess: 12 metrics in all (a status count in every minute: no RequestCount), the first call from the
    // backlog's start, and the same judgement
    expect(judged.evaluation?.window).toEqual({ start: at(3), end: at(5) });
    expect(firstCalls.map((call) => call.start)).toEqual([at(1), at(3)]);
    expect(firstCalls[0]?.ids).toEqual(prefixed('g', GREEN_COUNTS).sort());
    expect(firstCalls.flatMap((call) => call.ids)).toHaveLength(12);
    expect(judged.status.sequential).toEqual(separately.status.sequential);
  });
});
