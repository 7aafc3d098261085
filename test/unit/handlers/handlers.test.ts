/**
 * Handlers with fake ports: parse -> ports -> core -> output, and every refusal before a write.
 * The middy-wrapped handlers are exercised end to end in test/statemachine; here the plain functions.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { newRunState } from '../../../functions/core/run.ts';
import type { RunState } from '../../../functions/core/state.ts';
import type { WeightedPair } from '../../../functions/core/types.ts';
import { checkDnsSync } from '../../../functions/handlers/check-dns-sync.ts';
import { complete } from '../../../functions/handlers/complete.ts';
import { continueAsNew } from '../../../functions/handlers/continue-as-new.ts';
import { evaluateMetrics } from '../../../functions/handlers/evaluate-metrics.ts';
import { onExecutionEnd } from '../../../functions/handlers/on-execution-end.ts';
import { type PreflightEvent, preflight } from '../../../functions/handlers/preflight.ts';
import { reconcile } from '../../../functions/handlers/reconcile.ts';
import { rollback } from '../../../functions/handlers/rollback.ts';
import { shiftTraffic } from '../../../functions/handlers/shift-traffic.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeNotifier,
  FakeRouter,
} from '../../support/fake-ports.ts';
import { draft, inputWith, pairWith, periodsOf, traffic } from '../core/fixtures.ts';

const ZONE = 'Z0123456789ABC';
const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:ts';
const SELF = 'arn:aws:states:us-east-1:123456789012:execution:ts:self';
const PREDECESSOR = 'arn:aws:states:us-east-1:123456789012:execution:ts:previous';
const blueOnly = (): WeightedPair => pairWith({ blue: 100, green: 0 }, { hostedZoneId: ZONE });

let router: FakeRouter;
let metrics: FakeMetrics;
let executions: FakeExecutions;
let clock: FakeClock;
let notifier: FakeNotifier;

beforeEach(() => {
  router = new FakeRouter([blueOnly()]);
  metrics = new FakeMetrics();
  executions = new FakeExecutions();
  clock = new FakeClock();
  notifier = new FakeNotifier();
  executions.add({ executionArn: SELF, input: draft(), startDate: '2026-01-01T00:00:00.000Z' });
});

const event = (input: unknown = draft()): PreflightEvent => ({
  input,
  executionArn: SELF,
  executionName: 'self',
  stateMachineArn: SM,
  startTime: '2026-01-01T00:00:00.000Z',
});

function runState(overrides: Partial<RunState> = {}): RunState {
  const state = newRunState(
    inputWith(),
    {
      executionArn: SELF,
      executionName: 'self',
      stateMachineArn: SM,
      startedAt: '2026-01-01T00:00:00.000Z',
      generation: 1,
      continuedFrom: null,
    },
    [blueOnly()]
  );
  const { next: _next, ...rest } = state;
  return { ...rest, ...overrides };
}

describe('Handler: preflight', () => {
  it('rejects bad input naming the field before any port is called', async () => {
    // Act
    const attempt = preflight(event({ ...draft(), plan: { steps: [50, 10] } }), {
      router,
      metrics,
      executions,
      clock,
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('plan.steps[1]'),
    });
    expect(router.calls).toEqual([]);
    expect(executions.calls).toEqual([]);
  });

  it('snapshots the records', async () => {
    // Act
    const state = await preflight(event(), { router, metrics, executions, clock });

    // Assess
    expect(state.next).toBe('shift');
    expect(state.snapshot).toEqual([blueOnly()]);
    expect(state.run).toMatchObject({ executionArn: SELF, generation: 1, continuedFrom: null });
  });

  it('fails fast naming the running execution that owns the records', async () => {
    // Prepare
    const owner = 'arn:aws:states:us-east-1:123456789012:execution:ts:owner';
    executions.add({ executionArn: owner, input: draft(), startDate: '2025-12-31T23:59:00.000Z' });

    // Act + Assess
    await expect(preflight(event(), { router, metrics, executions, clock })).rejects.toMatchObject({
      name: 'RunLockedError',
      message: expect.stringContaining(owner),
    });
    expect(router.calls).toEqual([]);
  });

  it.each([
    {
      name: 'a TTL above dns.maxTtlSeconds',
      pairs: [
        {
          ...blueOnly(),
          blue: { ...blueOnly().blue, TTL: 3600 },
          green: { ...blueOnly().green, TTL: 3600 },
        },
      ],
      message: /TTL 3600s > dns.maxTtlSeconds/,
    },
    {
      name: 'different TTLs in one pair',
      pairs: [{ ...blueOnly(), green: { ...blueOnly().green, TTL: 30 } }],
      message: /blue TTL 60s != green TTL 30s/,
    },
    {
      name: 'green already at 100 %',
      pairs: [pairWith({ blue: 0, green: 100 }, { hostedZoneId: ZONE })],
      message: /already receives 100%/,
    },
  ])('refuses $name', async ({ pairs, message }) => {
    // Prepare
    router.pairs = pairs;

    // Act + Assess
    await expect(preflight(event(), { router, metrics, executions, clock })).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringMatching(message),
    });
  });

  it('refuses records at different green shares', async () => {
    // Prepare
    const www = pairWith({ blue: 50, green: 50 }, { hostedZoneId: ZONE, name: 'www.example.com' });
    router.pairs = [blueOnly(), www];
    const input = {
      ...draft(),
      records: [...draft().records, { ...draft().records[0], name: 'www.example.com' }],
    };

    // Act + Assess
    await expect(preflight(event(input), { router, metrics, executions, clock })).rejects.toThrow(
      /different green shares/
    );
  });

  it('refuses a record-set protection that would block the rollback too', async () => {
    // Prepare
    router.protectedRecords = ['api.example.com A'];

    // Act + Assess
    await expect(preflight(event(), { router, metrics, executions, clock })).rejects.toThrow(
      /record-set protection on api.example.com A/
    );
  });

  it('refuses when green publishes no HTTP metrics, naming the discovery name', async () => {
    // Prepare
    metrics.withHttpMetrics = [];

    // Act + Assess
    await expect(preflight(event(), { router, metrics, executions, clock })).rejects.toThrow(
      /discovery names orders; set appProtocol/
    );
  });

  it('resumes a continuation when the records are where the predecessor left them', async () => {
    // Prepare
    const previous = {
      ...runState(),
      run: { ...runState().run, generation: 2, continuedFrom: PREDECESSOR },
    };
    executions.add({ executionArn: PREDECESSOR, status: 'SUCCEEDED' }, runState());

    // Act
    const state = await preflight(event({ resume: previous }), {
      router,
      metrics,
      executions,
      clock,
    });

    // Assess
    expect(state.next).toBe('bake');
    expect(state.run).toMatchObject({
      executionArn: SELF,
      generation: 2,
      continuedFrom: PREDECESSOR,
    });
  });

  it('resumes a state written before the window cursor and the blue latency memory existed', async () => {
    // Prepare
    const { windowFrom: _cursor, blueLatency: _memory, ...oldStatus } = runState().status;
    const previous = {
      ...runState(),
      status: oldStatus,
      run: { ...runState().run, continuedFrom: PREDECESSOR },
    };
    executions.add({ executionArn: PREDECESSOR, status: 'SUCCEEDED' }, runState());

    // Act
    const state = await preflight(event({ resume: previous }), {
      router,
      metrics,
      executions,
      clock,
    });

    // Assess
    expect(state.status).toMatchObject({ windowFrom: null, blueLatency: null });
  });

  it.each([
    { field: 'windowFrom', status: { windowFrom: 'later' } },
    {
      field: 'blueLatency.windowEnd',
      status: { blueLatency: { avgMs: 80, samples: 500, windowEnd: 'never' } },
    },
  ])('refuses a continuation whose status.$field is not a time', async ({ field, status }) => {
    // Prepare
    const previous = {
      ...runState(),
      status: { ...runState().status, ...status },
      run: { ...runState().run, continuedFrom: PREDECESSOR },
    };

    // Act + Assess
    await expect(
      preflight(event({ resume: previous }), { router, metrics, executions, clock })
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining(`resume.status.${field}`),
    });
  });

  it('refuses to resume when the weights drifted during the hand-over', async () => {
    // Prepare
    router.pairs = [pairWith({ blue: 70, green: 30 }, { hostedZoneId: ZONE })];
    executions.add({ executionArn: PREDECESSOR, status: 'SUCCEEDED' }, runState());
    const previous = { ...runState(), run: { ...runState().run, continuedFrom: PREDECESSOR } };

    // Act + Assess
    await expect(
      preflight(event({ resume: previous }), { router, metrics, executions, clock })
    ).rejects.toMatchObject({ name: 'DriftDetectedError' });
  });

  it.each([
    {
      name: 'names no predecessor',
      continuedFrom: null,
      setup: () => {},
      why: /continuedFrom is null/,
    },
    {
      name: 'names an execution of another state machine',
      continuedFrom: PREDECESSOR,
      setup: () =>
        executions.add({ executionArn: PREDECESSOR, stateMachineArn: `${SM}-other` }, runState()),
      why: /belongs to/,
    },
    {
      name: 'carries a snapshot its predecessor never had',
      continuedFrom: PREDECESSOR,
      setup: () =>
        executions.add(
          { executionArn: PREDECESSOR },
          { ...runState(), snapshot: [pairWith({ blue: 1, green: 99 }, { hostedZoneId: ZONE })] }
        ),
      why: /do not match the latest state/,
    },
  ])(
    'refuses a forged continuation that $name, before touching Route 53',
    async ({ continuedFrom, setup, why }) => {
      // Prepare
      setup();
      const forged = { ...runState(), run: { ...runState().run, continuedFrom } };

      // Act + Assess
      await expect(
        preflight(event({ resume: forged }), { router, metrics, executions, clock })
      ).rejects.toMatchObject({
        name: 'PreflightFailedError',
        message: expect.stringMatching(why),
      });
      expect(router.calls).toEqual([]);
    }
  );
});

describe('Handler: shiftTraffic', () => {
  it('writes the first step in one call and polls for INSYNC next', async () => {
    // Act
    const state = await shiftTraffic(runState(), { router, executions, clock });

    // Assess
    expect(router.writes).toEqual([
      { kind: 'apply', weights: [{ name: 'api.example.com', blue: 90, green: 10 }] },
    ]);
    expect(state.status.greenPercent).toBe(10);
    expect(state.change.ids).toHaveLength(1);
  });

  it.each([
    { name: 'stopped', setup: () => executions.setStatus(SELF, 'ABORTED'), message: /is ABORTED/ },
    {
      name: 'redriven',
      setup: () => {
        const e = executions.executions.get(SELF);
        if (e) e.redriveCount = 1;
      },
      message: /was redriven/,
    },
  ])('refuses to write when its execution was $name', async ({ setup, message }) => {
    // Prepare
    setup();

    // Act + Assess
    await expect(shiftTraffic(runState(), { router, executions, clock })).rejects.toMatchObject({
      name: 'ExecutionNotRunningError',
      message: expect.stringMatching(message),
    });
    expect(router.writes).toEqual([]);
  });

  it('stops on drift without overwriting the other writer', async () => {
    // Prepare
    router.pairs = [pairWith({ blue: 60, green: 40 }, { hostedZoneId: ZONE })];

    // Act + Assess
    await expect(shiftTraffic(runState(), { router, executions, clock })).rejects.toMatchObject({
      name: 'DriftDetectedError',
      message: expect.stringContaining('api.example.com'),
    });
    expect(router.writes).toEqual([]);
  });

  it('treats a retry whose earlier write already landed as done, without writing twice', async () => {
    // Prepare: the first invocation wrote 10 % but its result was lost; Step Functions retries with the same state.
    const state = runState();
    await shiftTraffic(state, { router, executions, clock });

    // Act
    const retried = await shiftTraffic(state, { router, executions, clock });

    // Assess
    expect(router.writes).toHaveLength(1);
    expect(retried.status.greenPercent).toBe(10);
    expect(retried.change.ids).toEqual([]);
  });

  it('undoes its own write when a stop landed while the batch was in flight', async () => {
    // Prepare
    router.afterWrite = () => executions.setStatus(SELF, 'ABORTED');

    // Act + Assess
    await expect(shiftTraffic(runState(), { router, executions, clock })).rejects.toMatchObject({
      name: 'ExecutionNotRunningError',
      message: expect.stringContaining('restored the snapshot'),
    });
    expect(router.writes.map((w) => w.kind)).toEqual(['apply', 'restore']);
    expect(router.pairs).toEqual([blueOnly()]);
  });

  it('writes nothing in observe mode but still walks the schedule', async () => {
    // Prepare
    const state = runState({ input: { ...inputWith(), mode: 'observe' } });

    // Act
    const next = await shiftTraffic(state, { router, executions, clock });

    // Assess
    expect(router.writes).toEqual([]);
    expect(next.status.greenPercent).toBe(10);
  });
});

describe('Handler: checkDnsSync', () => {
  it('keeps polling while PENDING and gives up past dns.maxSyncWaitSeconds', async () => {
    // Prepare
    router.changeStatus = 'PENDING';
    const shifted = await shiftTraffic(runState(), { router, executions, clock });

    // Act
    const polled = await checkDnsSync(shifted, { router, clock });
    clock.advance(901);

    // Assess
    expect(polled.change.synced).toBe(false);
    await expect(checkDnsSync(shifted, { router, clock })).rejects.toMatchObject({
      name: 'DnsSyncTimeoutError',
    });
  });
});

describe('Handler: evaluateMetrics', () => {
  it('reads green and blue for the window and decides', async () => {
    // Prepare
    const input = inputWith({
      metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
    });
    const shifted = await shiftTraffic(runState({ input }), { router, executions, clock });
    const synced = await checkDnsSync(shifted, { router, clock });
    clock.advance(synced.waitSeconds);
    metrics.reading = (query) => ({
      kind: 'ok',
      services: query.targets.map((t) => traffic(t.discoveryName, 500, 1)),
    });

    // Act
    const state = await evaluateMetrics(synced, { metrics, clock });

    // Assess
    expect(metrics.calls.map((q) => q.targets)).toEqual([
      [{ discoveryName: 'orders' }],
      [{ discoveryName: 'orders-blue' }],
    ]);
    expect(state.evaluation?.verdict).toBe('Pass');
    expect(state.decision?.action).toBe('observe');
  });

  it('announces a completed step when it advances, and a failed notification never blocks the run', async () => {
    // Prepare
    const input = inputWith({
      plan: { steps: [10, 50, 100], bakeSeconds: 60, evaluationIntervalSeconds: 60 },
    });
    const shifted = await shiftTraffic(runState({ input }), { router, executions, clock });
    const synced = await checkDnsSync(shifted, { router, clock });
    clock.advance(synced.waitSeconds + 120);
    metrics.reading = (query) => ({
      kind: 'ok',
      services: query.targets.map((t) => ({
        ...traffic(t.discoveryName, 500, 0),
        periodStarts: periodsOf(query.window),
      })),
    });

    // Act
    const advanced = await evaluateMetrics(synced, { metrics, clock, notifier });
    notifier.fail = true;
    const again = await evaluateMetrics(synced, { metrics, clock, notifier });

    // Assess
    expect(advanced.decision?.action).toBe('advance');
    expect(notifier.events).toEqual([
      expect.objectContaining({ type: 'StepCompleted', greenPercent: 10 }),
    ]);
    expect(again.decision?.action).toBe('advance');
  });

  it('judges each minute once: the next window starts where a judged one ended', async () => {
    // Prepare
    const shifted = await shiftTraffic(runState(), { router, executions, clock });
    const synced = await checkDnsSync(shifted, { router, clock });
    clock.advance(synced.waitSeconds);
    metrics.reading = (query) => ({
      kind: 'ok',
      services: query.targets.map((t) => ({
        ...traffic(t.discoveryName, 500, 0),
        periodStarts: periodsOf(query.window),
      })),
    });

    // Act
    const first = await evaluateMetrics(synced, { metrics, clock });
    clock.advance(first.waitSeconds);
    const second = await evaluateMetrics(first, { metrics, clock });

    // Assess
    const [a, b] = metrics.calls.map((query) => query.window);
    expect(b?.start).toBe(a?.end);
    expect(second.status.windowFrom).toBe(b?.end);
  });

  it('judges green latency against the remembered blue baseline once blue has no traffic', async () => {
    // Prepare: blue answered at 80 ms in an earlier window; now green serves everything at 200 ms
    const input = inputWith({
      metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
    });
    const shifted = await shiftTraffic(runState({ input }), { router, executions, clock });
    const synced = await checkDnsSync(shifted, { router, clock });
    clock.advance(synced.waitSeconds);
    metrics.reading = (query) => ({
      kind: 'ok',
      services: query.targets.map(({ discoveryName: name }) =>
        traffic(name, 500, 0, { latencyAvgMs: name === 'orders-blue' ? 80 : 75 })
      ),
    });
    const remembered = await evaluateMetrics(synced, { metrics, clock });
    clock.advance(remembered.waitSeconds);
    metrics.reading = (query) => ({
      kind: 'ok',
      services: query.targets.some((t) => t.discoveryName === 'orders')
        ? [traffic('orders', 3_000, 0, { latencyAvgMs: 200 })]
        : [],
    });

    // Act
    const state = await evaluateMetrics(remembered, { metrics, clock });

    // Assess
    expect(remembered.status.blueLatency).toMatchObject({ avgMs: 80, samples: 500 });
    expect(state.evaluation?.verdict).toBe('Fail');
    expect(state.evaluation?.reason).toContain('latency avg 200 ms > remembered baseline 130 ms');
  });

  it('judges nothing before the first complete window', async () => {
    // Prepare
    const shifted = await shiftTraffic(runState(), { router, executions, clock });
    const synced = await checkDnsSync(shifted, { router, clock });

    // Act
    const state = await evaluateMetrics(synced, { metrics, clock });

    // Assess
    expect(metrics.calls).toEqual([]);
    expect(state.evaluation?.verdict).toBe('Inconclusive');
  });
});

describe('Terminal handlers', () => {
  it('rollback restores the snapshot verbatim and says why', async () => {
    // Prepare
    const shifted = await shiftTraffic(runState(), { router, executions, clock });

    // Act
    const state = await rollback(
      { ...shifted, decision: { action: 'rollback', reason: 'failures (3) > maxFailures (2)' } },
      { router, clock, notifier }
    );

    // Assess
    expect(router.pairs).toEqual([blueOnly()]);
    expect(state.outcome).toMatchObject({
      result: 'rolled-back',
      reason: 'failures (3) > maxFailures (2)',
    });
    expect(notifier.events.map((e) => e.type)).toEqual(['MigrationRolledBack']);
  });

  it('rollback turns a failed restore into RollbackFailedError for the long retry', async () => {
    // Prepare
    router.failRestore = new Error('PriorRequestNotComplete');

    // Act + Assess
    await expect(rollback(runState(), { router, clock })).rejects.toMatchObject({
      name: 'RollbackFailedError',
    });
  });

  it('complete and continue-as-new record their outcome', async () => {
    // Act
    const done = await complete(runState(), { clock, notifier });
    const continued = await continueAsNew(runState(), { executions, clock });

    // Assess
    expect(done.outcome?.result).toBe('completed');
    expect(continued.outcome?.result).toBe('continued');
    expect(executions.started[0]).toMatchObject({ stateMachineArn: SM, name: 'self-c2' });
  });
});

describe('Handlers: onExecutionEnd and reconcile', () => {
  const change = (status: string, error: string | null = null) =>
    ({
      detail: {
        executionArn: SELF,
        stateMachineArn: SM,
        name: 'self',
        status,
        startDate: 0,
        stopDate: 0,
        error,
      },
    }) as never;

  it('restores an aborted run that had shifted, and verifies it', async () => {
    // Prepare
    const shifted = await shiftTraffic(runState(), { router, executions, clock });
    executions.add({ executionArn: SELF, status: 'ABORTED', input: draft() }, shifted);

    // Act
    const result = await onExecutionEnd(change('ABORTED'), { router, executions, clock, notifier });

    // Assess
    expect(result).toMatchObject({ action: 'restore', restored: true });
    expect(router.pairs).toEqual([blueOnly()]);
    expect(notifier.events.map((e) => e.type)).toEqual(['MigrationAborted']);
  });

  it('keeps the weights when the operator stopped with KeepWeights', async () => {
    // Prepare
    const shifted = await shiftTraffic(runState(), { router, executions, clock });
    executions.add({ executionArn: SELF, status: 'ABORTED', input: draft() }, shifted);

    // Act
    const result = await onExecutionEnd(change('ABORTED', 'KeepWeights'), {
      router,
      executions,
      clock,
    });

    // Assess
    expect(result).toMatchObject({ action: 'skip', restored: false });
    expect(router.pairs[0]?.green.Weight).toBe(10);
  });

  it('ignores statuses that need no recovery', async () => {
    // Act + Assess
    expect(await onExecutionEnd(change('SUCCEEDED'), { router, executions, clock })).toMatchObject({
      action: 'skip',
    });
  });

  it('does not undo a newer run that took the same records', async () => {
    // Prepare
    const shifted = await shiftTraffic(runState(), { router, executions, clock });
    executions.add({ executionArn: SELF, status: 'ABORTED', input: draft() }, shifted);
    executions.add({
      executionArn: `${SELF}-newer`,
      status: 'RUNNING',
      startDate: '2026-01-01T05:00:00.000Z',
      input: draft(),
    });

    // Act
    const result = await onExecutionEnd(change('ABORTED'), { router, executions, clock });

    // Assess
    expect(result.reason).toContain('superseded');
    expect(router.pairs[0]?.green.Weight).toBe(10);
  });

  it('reconcile restores runs whose event was lost, skips runs that never wrote, and is idempotent', async () => {
    // Prepare
    const shifted = await shiftTraffic(runState(), { router, executions, clock });
    executions.add(
      {
        executionArn: SELF,
        status: 'ABORTED',
        input: draft(),
        stopDate: '2026-01-01T00:30:00.000Z',
      },
      shifted
    );
    executions.add({
      executionArn: `${SELF}-broken`,
      status: 'FAILED',
      stopDate: '2026-01-01T00:40:00.000Z',
    });
    clock.advance(3_600);
    const deps = { router, executions, clock, stateMachineArn: SM, lookbackHours: 24 };

    // Act
    const first = await reconcile(deps);
    const second = await reconcile(deps);

    // Assess
    expect(first).toMatchObject({ checked: 2, restored: 1, skipped: 1, failed: [] });
    expect(router.pairs).toEqual([blueOnly()]);
    expect(second).toMatchObject({ restored: 0 });
  });
});
