/**
 * The dashboard's fields as the real handlers log them (Powertools Logger at INFO, parsed from stdout): every
 * field each Logs Insights widget of template.yaml reads is on a line of the log groups the widget reads, with
 * the type the query needs (a number inside sum/avg/max, the compared text in a filter); green's weight
 * follows the shift, the rollback and the restore; and a normal evaluation writes no EMF line (no custom
 * metric: the dashboard costs nothing per migration).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MigrationInputDraft } from '../../../functions/core/input.ts';

/** A partial of an input part: only the fields a test sets. */
type PartOf<T> = { [K in keyof T]?: T[K] };

import type { MigrationEntry } from '../../../functions/core/registry.ts';
import { newRunState } from '../../../functions/core/run.ts';
import type {
  CombinedQuery,
  CombinedReading,
  MetricQuery,
  RunState,
} from '../../../functions/core/state.ts';
import type { Assessment, BlueLatency, MetricReading } from '../../../functions/core/types.ts';
import { snapshotWeights } from '../../../functions/core/weights.ts';
import { checkDnsSync } from '../../../functions/handlers/check-dns-sync.ts';
import { evaluateMetrics } from '../../../functions/handlers/evaluate-metrics.ts';
import { onExecutionEnd } from '../../../functions/handlers/on-execution-end.ts';
import { rollback } from '../../../functions/handlers/rollback.ts';
import { shiftTraffic } from '../../../functions/handlers/shift-traffic.ts';
import { evaluationFields, MINUTE_JUDGED } from '../../../functions/lib/dashboard-fields.ts';
import { figuresOf } from '../../../functions/lib/evaluation-figures.ts';
import { preflightEntry } from '../../../functions/lib/ownership.ts';
import { captureLogs } from '../../support/captured-logs.ts';
import {
  dashboardWidgets,
  fieldsRead,
  sourcesOf,
  templateResources,
  widgetTitled,
} from '../../support/dashboard-queries.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeRegistry,
  FakeRouter,
} from '../../support/fake-ports.ts';
import { draft, inputWith, pairWith, periodsOf, traffic } from '../core/fixtures.ts';

const ZONE = 'Z0123456789ABC';
const arn = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:ts:${name}`;

type Line = Record<string, unknown>;
/** Each logged line with the handler file that wrote it. */
let logged: { handler: string; line: Line }[];
let printed: string[];
let clock: FakeClock;
let executions: FakeExecutions;
let logs: ReturnType<typeof captureLogs>;

beforeEach(() => {
  logged = [];
  logs = captureLogs();
  printed = logs.printed;
  clock = new FakeClock();
  executions = new FakeExecutions();
});

afterEach(() => logs.release());

/** Runs one handler call and files the lines it printed under its file (functions/handlers/<name>.ts). */
async function as<T>(name: string, call: () => Promise<T>): Promise<T> {
  const before = printed.length;
  const result = await call();
  for (const text of printed.slice(before).flatMap((chunk) => chunk.split('\n')))
    if (text.trim() !== '')
      logged.push({ handler: `functions/handlers/${name}.ts`, line: JSON.parse(text) as Line });
  return result;
}

function runState(
  migrationId: string,
  zone: string,
  metrics: PartOf<MigrationInputDraft['metrics']> = {},
  thresholds: PartOf<MigrationInputDraft['thresholds']> = {}
): { state: RunState; router: FakeRouter; registry: FakeRegistry } {
  const pair = pairWith({ blue: 100, green: 0 }, { hostedZoneId: zone });
  const input = inputWith({
    migrationId,
    records: draft().records.map((record) => ({ ...record, hostedZoneId: zone })),
    metrics,
    thresholds,
  });
  executions.add({ executionArn: arn(migrationId), input, startDate: '2026-01-01T00:00:00.000Z' });
  const state = newRunState(
    input,
    {
      executionArn: arn(migrationId),
      executionName: migrationId,
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
      startedAt: '2026-01-01T00:00:00.000Z',
      generation: 1,
      continuedFrom: null,
    },
    [pair]
  );
  const { next: _next, ...rest } = state;
  // The registry entry Preflight leaves behind: this run owns its records (phase running).
  const registry = new FakeRegistry();
  const entry: MigrationEntry = {
    ...preflightEntry(input, state.run, { kind: 'step-functions' }),
    phase: 'running',
    snapshot: state.snapshot,
    expected: snapshotWeights(state.snapshot),
    version: 1,
  };
  registry.entries.set(entry.migrationId, entry);
  for (const key of entry.recordSetKeys) registry.locks.set(key, entry.migrationId);
  return { state: rest, router: new FakeRouter([pair]), registry };
}

/** The template's function whose bundle starts at `handler` (its EntryPoints). */
function functionOf(handler: string): string {
  const found = Object.entries(templateResources()).find(
    ([, resource]) => resource.Metadata?.BuildProperties?.EntryPoints?.[0] === handler
  );
  if (found === undefined) throw new Error(`no template function builds ${handler}`);
  return found[0];
}

/** Steady traffic for every requested series: Service Connect green and blue, and both edge load balancers. */
function everySource(metrics: FakeMetrics) {
  const reading = (query: MetricQuery): MetricReading => ({
    kind: 'ok',
    services: query.targets.map((target) => ({
      ...traffic(target.discoveryName, 500, 1),
      periodStarts: periodsOf(query.window),
    })),
  });
  // ALB series by field: RequestCount, target and ELB 5xx sums, TargetResponseTime in seconds.
  const perPeriod: Record<string, number> = {
    req: 500,
    t5: 1,
    e5: 0,
    cnt: 500,
    avg: 0.03,
    max: 0.2,
  };
  return Object.assign(metrics, {
    readAll: async (query: CombinedQuery): Promise<CombinedReading> => {
      const starts = periodsOf(query.green.window).map((start) => Date.parse(start));
      const series = Object.fromEntries(
        query.series.map((one) => {
          const value = perPeriod[one.id.split('_')[1] ?? ''] ?? 0.2;
          return [one.id, { timestamps: starts, values: starts.map(() => value) }];
        })
      );
      return {
        green: reading(query.green),
        blue: query.blue === null ? null : reading(query.blue),
        series: { kind: 'ok', series, failed: {} },
      };
    },
  });
}

/** A migration with blue names and an edge load balancer per side: shift, sync, evaluate, roll back. */
async function aMigration(): Promise<void> {
  const orders = runState(
    'orders',
    ZONE,
    {
      greenDiscoveryNames: ['orders'],
      blueDiscoveryNames: ['orders-blue'],
    },
    { latencyAvgMaxMs: 500 }
  );
  const withEdge: RunState = {
    ...orders.state,
    edge: [
      { side: 'green', kind: 'application', name: 'g', dimension: 'app/g/1', dnsName: 'g' },
      { side: 'blue', kind: 'application', name: 'b', dimension: 'app/b/1', dnsName: 'b' },
    ],
  };
  const metrics = everySource(new FakeMetrics());
  const shifted = await as('shift-traffic', () =>
    shiftTraffic(withEdge, { ...orders, executions, clock })
  );
  const synced = await as('check-dns-sync', () =>
    checkDnsSync(shifted, { router: orders.router, clock })
  );
  clock.advance(synced.waitSeconds);
  const evaluated = await as('evaluate-metrics', () => evaluateMetrics(synced, { metrics, clock }));
  await as('rollback', () =>
    rollback(evaluated, { router: orders.router, registry: orders.registry, clock })
  );
}

const emfLines = () => printed.filter((chunk) => chunk.includes('"_aws"'));

describe("the dashboard's queries read fields the handlers log", () => {
  it('every field a widget reads is on a line of its log groups, with the type the query needs', async () => {
    // Act
    await aMigration();

    // Assess
    expect(logged.length).toBeGreaterThan(0);
    for (const widget of dashboardWidgets()) {
      const { query, title } = widget.properties;
      const groups = new Set(sourcesOf(query));
      const lines = logged
        .filter((one) => groups.has(functionOf(one.handler)))
        .map((one) => one.line);
      const { numeric, text, present } = fieldsRead(query);
      for (const field of [...numeric, ...present])
        expect(
          lines.some((line) => typeof line[field] === 'number'),
          `${title}: number ${field}`
        ).toBe(true);
      for (const [field, value] of text)
        expect(
          lines.some(
            (line) => typeof line[field] === 'string' && (value === null || line[field] === value)
          ),
          `${title}: text ${field}${value === null ? '' : ` = ${value}`}`
        ).toBe(true);
    }
  });

  it("blue's logged figures are the baseline checks' inputs: Service Connect's and the edge's counts, blue's latency", async () => {
    // Act
    await aMigration();

    // Assess: the one evaluation's audit line (its baseline assessments, the remembered blue latency) and
    // the dashboard's line of the minute it judged (the flat figures).
    const line = logged.find((one) => one.line['message'] === 'evaluated')?.line as Line;
    const minute = logged.find((one) => one.line['message'] === MINUTE_JUDGED)?.line as Line;
    const assessments = line['assessments'] as Assessment[];
    const baseline = (check: string, source?: string) =>
      assessments.find((one) => one.check === check && one.source === source);
    const serviceConnect = baseline('baselineErrorRate');
    const edge = baseline('baselineErrorRate', 'edge');
    // The fake served blue 'orders-blue' 500 requests with one 5xx in the window.
    expect(serviceConnect?.blue).toEqual({ requests: 500, errors5xx: 1 });
    expect([minute['serviceConnectBlueRequests'], minute['serviceConnectBlueErrors5xx']]).toEqual([
      serviceConnect?.blue?.requests,
      serviceConnect?.blue?.errors5xx,
    ]);
    expect(edge?.blue?.requests).toBeGreaterThan(0);
    expect([minute['edgeBlueRequests'], minute['edgeBlueErrors5xx']]).toEqual([
      edge?.blue?.requests,
      edge?.blue?.errors5xx,
    ]);
    // The widget's blue-relative limit, max(blue x 2, blue + 0.5), from the logged counts is the check's limit.
    const blueRate =
      (100 * (minute['serviceConnectBlueErrors5xx'] as number)) /
      (minute['serviceConnectBlueRequests'] as number);
    expect(serviceConnect?.limit).toBeCloseTo(Math.max(blueRate * 2, blueRate + 0.5), 9);
    // Blue's latency: the average the latency baseline used (1.5 x, + 50 ms), remembered in the status.
    const blueLatency = (line['status'] as { blueLatency: BlueLatency }).blueLatency;
    expect(minute['serviceConnectBlueLatencyMs']).toBe(blueLatency.avgMs);
    expect(baseline('baselineLatencyAvg')?.limit).toBe(
      Math.max(blueLatency.avgMs * 1.5, blueLatency.avgMs + 50)
    );
  });

  it("the weight widget reads the log group of every handler that logs green's weight", async () => {
    // Act
    await aMigration();

    // Assess
    const writers = new Set(
      logged.filter((one) => 'greenWeightPercent' in one.line).map((one) => one.handler)
    );
    expect([...writers].sort()).toEqual([
      'functions/handlers/evaluate-metrics.ts',
      'functions/handlers/rollback.ts',
      'functions/handlers/shift-traffic.ts',
    ]);
    const read = sourcesOf(widgetTitled(/Green weight/).properties.query);
    for (const handler of [...writers, 'functions/handlers/on-execution-end.ts'])
      expect(read, handler).toContain(functionOf(handler));
  });

  it('a normal migration writes no EMF line: no custom metric', async () => {
    // Act
    await aMigration();

    // Assess
    expect(logged.some((one) => one.line['message'] === 'evaluated')).toBe(true);
    expect(emfLines()).toEqual([]);
  });
});

describe("green's weight on the dashboard follows a rollback and a restore", () => {
  const greenWeights = () =>
    logged
      .filter((one) => 'greenWeightPercent' in one.line)
      .map((one) => one.line['greenWeightPercent']);

  it('Rollback logs the restored share after restoring the snapshot', async () => {
    // Prepare: shifted to the first step (green 1 %), then judged for a rollback.
    const orders = runState('orders', ZONE);
    const shifted = await as('shift-traffic', () =>
      shiftTraffic(orders.state, { ...orders, executions, clock })
    );

    // Act
    await as('rollback', () =>
      rollback(shifted, { router: orders.router, registry: orders.registry, clock })
    );

    // Assess: the line goes up with the shift and back to the snapshot's 0 % with the rollback.
    expect(greenWeights()).toEqual([shifted.status.greenPercent, 0]);
    expect(shifted.status.greenPercent).toBeGreaterThan(0);
  });

  it("on-execution-end's restore after an abort logs the restored share", async () => {
    // Prepare
    const orders = runState('orders', ZONE);
    const shifted = await as('shift-traffic', () =>
      shiftTraffic(orders.state, { ...orders, executions, clock })
    );
    executions.setStatus(arn('orders'), 'ABORTED');
    const change = {
      detail: {
        executionArn: arn('orders'),
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
        name: 'orders',
        status: 'ABORTED',
        startDate: 0,
        stopDate: 0,
      },
    } as never;

    // Act
    const result = await as('on-execution-end', () =>
      onExecutionEnd(change, {
        router: orders.router,
        registry: orders.registry,
        executions,
        clock,
        sleep: async () => {},
      })
    );

    // Assess
    expect(result).toMatchObject({ restored: true });
    expect(greenWeights()).toEqual([shifted.status.greenPercent, 0]);
  });
});

describe("an evaluation's fields for the dashboard's rates", () => {
  it('Requests, Errors5xx and LatencyMs per source and side; per-scope figures, baselines and alarms are not', () => {
    // Prepare
    const base = { verdict: 'Pass' as const, limit: 1, counted: true, reason: '' };
    const evaluation = {
      verdict: 'Pass' as const,
      reason: '',
      window: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:05:00.000Z' },
      assessments: [
        { ...base, check: 'errorRate', scope: 'overall', value: 0.5, sampleSize: 2_000 },
        { ...base, check: 'errorRate', scope: 'orders', value: 0.5, sampleSize: 1_000 },
        { ...base, check: 'baselineErrorRate', scope: 'overall', value: 0.5, sampleSize: 2_000 },
        { ...base, check: 'latencyAvg', scope: 'overall', value: 80, sampleSize: 2_000 },
        {
          ...base,
          check: 'errorRate',
          scope: 'overall',
          value: 3,
          sampleSize: 10,
          source: 'alarm:x',
        },
        {
          ...base,
          check: 'errorRate',
          scope: 'overall',
          value: 0.25,
          sampleSize: 8_000,
          source: 'edge',
          side: 'blue' as const,
        },
      ],
    };

    // Act
    const fields = evaluationFields(evaluation);

    // Assess
    expect(fields).toEqual({
      serviceConnectGreenRequests: 2_000,
      serviceConnectGreenErrors5xx: 10,
      serviceConnectGreenLatencyMs: 80,
      edgeBlueRequests: 8_000,
      edgeBlueErrors5xx: 20,
    });
  });

  it("blue's error-rate counts come from a baseline check's inputs when the source has no blue assessment of its own", () => {
    // Prepare: Service Connect judges blue only as green's baseline; the edge judges blue's ALB on its own too.
    const base = { verdict: 'Pass' as const, limit: 1, counted: true, reason: '' };
    const baseline = { ...base, check: 'baselineErrorRate', scope: 'overall', value: 0.5 };
    const evaluation = {
      verdict: 'Pass' as const,
      reason: '',
      window: null,
      assessments: [
        { ...baseline, sampleSize: 2_000, blue: { requests: 4_000, errors5xx: 12 } },
        {
          ...baseline,
          sampleSize: 2_000,
          source: 'edge',
          blue: { requests: 8_000, errors5xx: 20 },
        },
        {
          ...base,
          check: 'errorRate',
          scope: 'app/b/1',
          value: 0.25,
          sampleSize: 8_000,
          source: 'edge',
          side: 'blue' as const,
        },
      ],
    };

    // Act
    const fields = evaluationFields(evaluation);

    // Assess: the edge's blue counted once, from its own assessment (scope: its ALB)
    expect(
      figuresOf(evaluation)
        .filter((figure) => figure.side === 'blue')
        .map((figure) => [figure.source, figure.scope, figure.value, figure.requests])
    ).toEqual([
      ['edge', 'app/b/1', 0.25, 8_000],
      ['serviceConnect', 'overall', 0.3, 4_000],
    ]);
    expect(fields).toEqual({
      serviceConnectBlueRequests: 4_000,
      serviceConnectBlueErrors5xx: 12,
      edgeBlueRequests: 8_000,
      edgeBlueErrors5xx: 20,
    });
  });

  it('blue measured without a request (0 status codes) logs no blue rate, as green without one logs none', () => {
    // Prepare
    const evaluation = {
      verdict: 'Inconclusive' as const,
      reason: '',
      window: null,
      assessments: [
        {
          check: 'baselineErrorRate',
          scope: 'overall',
          verdict: 'Inconclusive' as const,
          value: null,
          limit: null,
          sampleSize: 0,
          counted: false,
          reason: '',
          blue: { requests: 0, errors5xx: 0 },
        },
      ],
    };

    // Act, Assess
    expect(evaluationFields(evaluation)).toEqual({});
  });

  it("sums a source without an overall scope over its scopes (the edge's load balancers), latency by requests", () => {
    // Prepare
    const base = { verdict: 'Pass' as const, limit: 1, counted: true, reason: '' };
    const edge = { source: 'edge', side: 'green' as const };
    const evaluation = {
      verdict: 'Pass' as const,
      reason: '',
      window: null,
      assessments: [
        { ...base, ...edge, check: 'errorRate', scope: 'app/a/1', value: 1, sampleSize: 1_000 },
        { ...base, ...edge, check: 'errorRate', scope: 'app/b/2', value: 0.5, sampleSize: 3_000 },
        { ...base, ...edge, check: 'latencyAvg', scope: 'app/a/1', value: 10, sampleSize: 1_000 },
        { ...base, ...edge, check: 'latencyAvg', scope: 'app/b/2', value: 30, sampleSize: 3_000 },
      ],
    };

    // Act
    const fields = evaluationFields(evaluation);

    // Assess
    expect(fields).toEqual({
      edgeGreenRequests: 4_000,
      edgeGreenErrors5xx: 25,
      edgeGreenLatencyMs: 25,
    });
  });
});
