/**
 * Handlers with fake ports: parse -> ports -> core -> output, and every refusal before a write.
 * The middy-wrapped handlers are exercised end to end in test/statemachine; here the plain functions.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Route53ChangeRejectedError } from '../../../functions/core/errors.ts';
import type { MigrationInput } from '../../../functions/core/input.ts';
import { recordSetKey } from '../../../functions/core/names.ts';
import type { MigrationEntry } from '../../../functions/core/registry.ts';
import { newRunState } from '../../../functions/core/run.ts';
import { initialSequentialState } from '../../../functions/core/sequential.ts';
import type {
  CombinedQuery,
  CombinedReading,
  MetricQuery,
  RunState,
} from '../../../functions/core/state.ts';
import type { MetricReading, WeightedPair } from '../../../functions/core/types.ts';
import { snapshotWeights } from '../../../functions/core/weights.ts';
import { checkDnsSync } from '../../../functions/handlers/check-dns-sync.ts';
import { complete } from '../../../functions/handlers/complete.ts';
import { continueAsNew } from '../../../functions/handlers/continue-as-new.ts';
import { evaluateMetrics } from '../../../functions/handlers/evaluate-metrics.ts';
import { onExecutionEnd } from '../../../functions/handlers/on-execution-end.ts';
import { preflight } from '../../../functions/handlers/preflight.ts';
import { reconcile } from '../../../functions/handlers/reconcile.ts';
import { rollback } from '../../../functions/handlers/rollback.ts';
import { shiftTraffic } from '../../../functions/handlers/shift-traffic.ts';
import { preflightEntry } from '../../../functions/lib/ownership.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeNotifier,
  FakeRegistry,
  FakeRouter,
} from '../../support/fake-ports.ts';
import {
  preflightEvent,
  TEST_EXECUTION_ARN,
  TEST_STATE_MACHINE_ARN,
} from '../../support/preflight-event.ts';
import { draft, inputWith, pairWith, periodsOf, traffic } from '../core/fixtures.ts';

const ZONE = 'Z0123456789ABC';
const SM = TEST_STATE_MACHINE_ARN;
const SELF = TEST_EXECUTION_ARN;
const PREDECESSOR = 'arn:aws:states:us-east-1:123456789012:execution:ts:previous';
const blueOnly = (): WeightedPair => pairWith({ blue: 100, green: 0 }, { hostedZoneId: ZONE });

let router: FakeRouter;
let metrics: FakeMetrics;
let executions: FakeExecutions;
let clock: FakeClock;
let notifier: FakeNotifier;
let registry: FakeRegistry;
/** Every port the handlers take; each handler uses its own subset. */
const deps = () => ({
  router,
  metrics,
  executions,
  clock,
  notifier,
  registry,
  sleep: async () => undefined,
});

beforeEach(() => {
  router = new FakeRouter([blueOnly()]);
  metrics = new FakeMetrics();
  executions = new FakeExecutions();
  clock = new FakeClock();
  notifier = new FakeNotifier();
  registry = new FakeRegistry();
  executions.add({ executionArn: SELF, input: draft(), startDate: '2026-01-01T00:00:00.000Z' });
});

const event = preflightEvent;

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

/** A continuation of runState() with the given status fields (possibly tampered, so not typed). */
function continuation(status: Record<string, unknown> = {}) {
  return {
    ...runState(),
    status: { ...runState().status, ...status },
    run: { ...runState().run, continuedFrom: PREDECESSOR },
  };
}

/** The registry entry of a run that passed preflight (phase running), owned by `state.run.executionArn`. */
function owned(
  state: RunState = runState(),
  overrides: Partial<MigrationEntry> = {}
): MigrationEntry {
  const entry: MigrationEntry = {
    ...preflightEntry(state.input, state.run, { kind: 'step-functions' }),
    phase: 'running',
    snapshot: state.snapshot,
    expected: snapshotWeights(state.snapshot),
    version: 1,
    ...overrides,
  };
  registry.entries.set(entry.migrationId, entry);
  for (const key of entry.recordSetKeys) registry.locks.set(key, entry.migrationId);
  return entry;
}

const entry = () => registry.entries.get('orders');
/** deps() with the run's registry entry in place (for tests about later states). */
const ownedDeps = () => {
  if (!registry.entries.has('orders')) owned();
  return deps();
};

/** Every target with `requests` and `errors` and a datapoint in every period of the window read. */
function everyMinute(requests: number, errors: number): (query: MetricQuery) => MetricReading {
  return (query) => ({
    kind: 'ok',
    services: query.targets.map((t) => ({
      ...traffic(t.discoveryName, requests, errors),
      periodStarts: periodsOf(query.window),
    })),
  });
}

describe('Handler: preflight', () => {
  it('rejects bad input naming the field before any port is called', async () => {
    // Act
    const attempt = preflight(event({ ...draft(), plan: { steps: [50, 10] } }), deps());

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
    const state = await preflight(event(), deps());

    // Assess
    expect(state.next).toBe('shift');
    expect(state.snapshot).toEqual([blueOnly()]);
    expect(state.run).toMatchObject({ executionArn: SELF, generation: 1, continuedFrom: null });
  });

  it('refuses records another migration holds (any zone id form), naming it and the rollback command', async () => {
    // Prepare: the rival wrote the zone id with the /hostedzone/ prefix, this run without it
    const owner = 'arn:aws:states:us-east-1:123456789012:execution:ts:owner';
    const rivalInput = inputWith({
      migrationId: 'orders-rival',
      records: [{ ...draft().records[0], hostedZoneId: `/hostedzone/${ZONE}` }],
    } as never);
    await registry.acquire(
      preflightEntry(
        { ...rivalInput, records: draft().records as never },
        { executionArn: owner, stateMachineArn: SM, startedAt: '2025-12-31T23:59:00.000Z' },
        { kind: 'step-functions' }
      )
    );

    // Act + Assess
    await expect(preflight(event(), deps())).rejects.toMatchObject({
      name: 'RunLockedError',
      message: expect.stringMatching(/orders-rival.*traffic-shift rollback orders-rival/s),
    });
    expect(router.calls).toEqual([]);
  });

  it('accepts the console input with a $schema key (the same JSON as a file) and keeps it out of the state', async () => {
    // Act
    const state = await preflight(
      event({ $schema: './schema/migration-input.schema.json', ...draft() }),
      deps()
    );

    // Assess
    expect(state.next).toBe('shift');
    expect(state.input).not.toHaveProperty('$schema');
  });

  it('keys the lock on the canonical zone id and name, whatever form the input used', async () => {
    // Act
    await preflight(
      event({
        ...draft(),
        records: [
          { ...draft().records[0], hostedZoneId: `/hostedzone/${ZONE}`, name: 'API.example.com.' },
        ],
      }),
      deps()
    );

    // Assess
    expect([...registry.locks.keys()]).toEqual([`${ZONE} api.example.com A`]);
  });

  it('records the snapshot in the registry and leaves the records locked (phase running)', async () => {
    // Act
    await preflight(event(), deps());

    // Assess
    expect(entry()).toMatchObject({
      phase: 'running',
      executionArn: SELF,
      snapshot: [blueOnly()],
      expected: snapshotWeights([blueOnly()]),
    });
  });

  it('releases the records when a check refuses, so a refused run leaves no lock', async () => {
    // Prepare
    router.protectedRecords = ['api.example.com A'];

    // Act
    await preflight(event(), deps()).catch(() => undefined);

    // Assess
    expect(entry()?.phase).toBe('released');
    expect(registry.locks.size).toBe(0);
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
    await expect(preflight(event(), deps())).rejects.toMatchObject({
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
    await expect(preflight(event(input), deps())).rejects.toThrow(/different green shares/);
  });

  it('refuses a record-set protection that would block the rollback too', async () => {
    // Prepare
    router.protectedRecords = ['api.example.com A'];

    // Act + Assess
    await expect(preflight(event(), deps())).rejects.toThrow(
      /record-set protection on api.example.com A/
    );
  });

  it('refuses when green publishes no HTTP metrics, naming the discovery name', async () => {
    // Prepare
    metrics.withHttpMetrics = [];

    // Act + Assess
    await expect(preflight(event(), deps())).rejects.toThrow(
      /discovery names orders; set appProtocol/
    );
  });

  it('resumes a continuation the predecessor handed the registry entry to', async () => {
    // Prepare
    const previous = {
      ...runState(),
      run: { ...runState().run, generation: 2, continuedFrom: PREDECESSOR },
    };
    owned(runState(), { generation: 2 });

    // Act
    const state = await preflight(event({ resume: previous }), deps());

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
    owned();

    // Act
    const state = await preflight(event({ resume: previous }), deps());

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
    const previous = continuation(status);

    // Act + Assess
    await expect(preflight(event({ resume: previous }), deps())).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining(`resume.status.${field}`),
    });
  });

  // describeIssues says "is required" only for a missing value: without the input on each issue, a tampered
  // field of the wrong type read as missing.
  it.each([
    {
      status: { stepIndex: '2' },
      message: 'resume.status.stepIndex: must be an integer',
    },
    {
      status: { greenPercent: null },
      message: 'resume.status.greenPercent: Invalid input: expected number, received null',
    },
    {
      status: { consecutiveFailures: 'none' },
      message: 'resume.status.consecutiveFailures: must be an integer',
    },
  ])('refuses a tampered continuation naming the rule: $message', async ({ status, message }) => {
    // Prepare
    const previous = continuation(status);

    // Act + Assess
    await expect(preflight(event({ resume: previous }), deps())).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: `invalid input: ${message}`,
    });
  });

  // The cadence bounds each sequential test by its evidence and folds from its consumedUntil: a test whose
  // cursor is not a time never folds a minute again (and its unfolded minutes would count as none).
  const memory = {
    statistics: [0, 0, 0, 0, 0, 0],
    evidence: 0,
    minutes: 0,
    requests: 0,
    errors: 0,
    consumedUntil: '2026-03-02T10:04:00.000Z',
  };
  it.each([
    { field: 'baselineErrorRate.consumedUntil', test: { ...memory, consumedUntil: 'never' } },
    { field: 'errorRate.evidence', test: { ...memory, evidence: -1 } },
    { field: 'errorRate.statistics', test: { ...memory, statistics: [0] } },
  ])(
    'refuses a continuation whose status.sequential.$field is implausible',
    async ({ field, test }) => {
      // Prepare
      const check = field.split('.')[0] as string;
      const previous = continuation({ sequential: { errorRate: memory, [check]: test } });

      // Act + Assess
      await expect(preflight(event({ resume: previous }), deps())).rejects.toMatchObject({
        name: 'InvalidInputError',
        message: expect.stringContaining(`resume.status.sequential.${field}`),
      });
    }
  );

  it('resumes a state whose sequential tests are well formed', async () => {
    // Prepare
    const sequential = { errorRate: memory, baselineErrorRate: { ...memory, consumedUntil: null } };
    const previous = continuation({ sequential });
    owned();

    // Act
    const state = await preflight(event({ resume: previous }), deps());

    // Assess
    expect(state.status.sequential).toEqual(sequential);
  });

  it('refuses a continuation whose status.blueDrainedFrom is not a time', async () => {
    // Prepare
    const previous = continuation({ greenPercent: 100, blueDrainedFrom: 'earlier' });

    // Act + Assess
    await expect(preflight(event({ resume: previous }), deps())).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('resume.status.blueDrainedFrom'),
    });
  });

  // Blue found drained at 100 % is not read again (core/blue-drained.ts): the continuation keeps that; a
  // state written before the field existed (absent) stays not drained.
  it.each([
    { name: 'found drained', blueDrainedFrom: '2026-03-02T10:04:00.000Z' },
    { name: 'not drained', blueDrainedFrom: null },
    { name: 'written before the field', blueDrainedFrom: undefined },
  ])('resumes a state whose blue is $name', async ({ blueDrainedFrom }) => {
    // Prepare
    const status = { ...runState().status, blueDrainedFrom };
    const previous = {
      ...runState(),
      status,
      run: { ...runState().run, continuedFrom: PREDECESSOR },
    };
    owned();

    // Act
    const state = await preflight(event({ resume: previous }), deps());

    // Assess
    expect(state.status.blueDrainedFrom ?? null).toBe(blueDrainedFrom ?? null);
  });

  it.each([
    { field: 'cadence.through', cadence: { minutes: 2, through: 'long ago', reason: 'quiet' } },
    { field: 'cadence.minutes', cadence: { minutes: 0, through: '', reason: 'quiet' } },
  ])('refuses a continuation whose $field is implausible', async ({ field, cadence }) => {
    // Prepare
    const previous = {
      ...runState(),
      cadence,
      run: { ...runState().run, continuedFrom: PREDECESSOR },
    };

    // Act + Assess
    await expect(preflight(event({ resume: previous }), deps())).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining(`resume.${field}`),
    });
  });

  it.each([
    { field: 'publicationLag.seconds', publicationLag: { seconds: -30, hits: 0 } },
    { field: 'publicationLag.hits', publicationLag: { seconds: 120, hits: 1.5 } },
    // Before the input's first look (90 s) or past its bound (150 s): looks the design rules out.
    { field: 'publicationLag.seconds', publicationLag: { seconds: 30, hits: 0 } },
    { field: 'publicationLag.seconds', publicationLag: { seconds: 180, hits: 0 } },
  ])('refuses a continuation whose $field is implausible', async ({ field, publicationLag }) => {
    // Prepare
    const previous = {
      ...runState(),
      publicationLag,
      run: { ...runState().run, continuedFrom: PREDECESSOR },
    };

    // Act + Assess
    await expect(preflight(event({ resume: previous }), deps())).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining(`resume.${field}`),
    });
  });

  it('resumes a continuation with the publication lag its predecessor learned', async () => {
    // Prepare
    const previous = {
      ...runState(),
      publicationLag: { seconds: 120, hits: 3 },
      run: { ...runState().run, generation: 2, continuedFrom: PREDECESSOR },
    };
    owned(runState(), { generation: 2 });

    // Act
    const state = await preflight(event({ resume: previous }), deps());

    // Assess
    expect(state.publicationLag).toEqual({ seconds: 120, hits: 3 });
  });

  // A migration started before metrics.publicationPollSeconds had to be <= periodSeconds is handed over by
  // the new code after an upgrade: refusing it would end the run at PreflightFailed, half shifted, with no
  // rollback. New inputs are refused (input.test.ts); a running migration's hand-over is not.
  it('resumes a migration started before polling had to be at most the period', async () => {
    // Prepare
    const started = runState();
    const previous = {
      ...started,
      input: {
        ...started.input,
        metrics: { ...started.input.metrics, publicationPollSeconds: 120 },
      },
      run: { ...started.run, generation: 2, continuedFrom: PREDECESSOR },
    };
    owned(runState(), { generation: 2 });

    // Act
    const state = await preflight(event({ resume: previous }), deps());

    // Assess
    expect(state.input.metrics.publicationPollSeconds).toBe(120);
  });

  it('stops on drift during the hand-over, leaving the weights and finishing the entry', async () => {
    // Prepare
    router.pairs = [pairWith({ blue: 70, green: 30 }, { hostedZoneId: ZONE })];
    owned();
    const previous = continuation();

    // Act + Assess
    await expect(preflight(event({ resume: previous }), deps())).rejects.toMatchObject({
      name: 'DriftDetectedError',
    });
    expect(entry()?.phase).toBe('stopped-on-drift');
    expect(router.writes).toEqual([]);
  });

  it.each([
    { name: 'no registry entry', setup: () => {} },
    {
      name: 'an entry another execution owns',
      setup: () => owned(runState(), { executionArn: PREDECESSOR }),
    },
    { name: 'a finished entry', setup: () => owned(runState(), { phase: 'completed' }) },
  ])('refuses a forged continuation ($name) before touching Route 53', async ({ setup }) => {
    // Prepare
    setup();
    const forged = continuation();

    // Act + Assess
    await expect(preflight(event({ resume: forged }), deps())).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringMatching(/not a genuine continuation/),
    });
    expect(router.calls).toEqual([]);
  });
});

describe('Handler: shiftTraffic', () => {
  beforeEach(() => {
    owned();
  });

  it('writes the first step in one call, records it as expected, and polls for INSYNC next', async () => {
    // Act
    const state = await shiftTraffic(runState(), deps());

    // Assess
    expect(router.writes).toEqual([
      { kind: 'apply', weights: [{ name: 'api.example.com', blue: 90, green: 10 }] },
    ]);
    expect(state.status.greenPercent).toBe(10);
    expect(state.change.ids).toHaveLength(1);
    expect(entry()).toMatchObject({
      pending: null,
      expected: [expect.objectContaining({ blueWeight: 90, greenWeight: 10 })],
    });
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
    await expect(shiftTraffic(runState(), deps())).rejects.toMatchObject({
      name: 'ExecutionNotRunningError',
      message: expect.stringMatching(message),
    });
    expect(router.writes).toEqual([]);
  });

  it('refuses to write when the registry names another owner', async () => {
    // Prepare
    owned(runState(), { executionArn: `${SELF}-c2` });

    // Act + Assess
    await expect(shiftTraffic(runState(), deps())).rejects.toMatchObject({
      name: 'RegistryConflictError',
    });
    expect(router.writes).toEqual([]);
  });

  it('stops on drift without overwriting the other writer, finishing the entry (onDrift: stop)', async () => {
    // Prepare
    router.pairs = [pairWith({ blue: 60, green: 40 }, { hostedZoneId: ZONE })];

    // Act + Assess
    await expect(shiftTraffic(runState(), deps())).rejects.toMatchObject({
      name: 'DriftDetectedError',
      message: expect.stringContaining('api.example.com'),
    });
    expect(router.writes).toEqual([]);
    expect(entry()?.phase).toBe('stopped-on-drift');
  });

  it('finishes its own partial multi-zone write on retry (zone 1 at pending) and still waits for INSYNC', async () => {
    // Prepare: zone 1's batch landed, zone 2's was throttled; the registry holds the target as pending
    const zone2 = pairWith({ blue: 100, green: 0 }, { hostedZoneId: 'Z2SECOND' });
    router.pairs = [pairWith({ blue: 90, green: 10 }, { hostedZoneId: ZONE }), zone2];
    const records = [draft().records[0], { ...draft().records[0], hostedZoneId: 'Z2SECOND' }];
    const state = runState({
      input: inputWith({ records } as never),
      snapshot: [blueOnly(), zone2],
    });
    const target = [blueOnly(), zone2].map((pair) => ({
      ...snapshotWeights([pair])[0],
      blueWeight: 90,
      greenWeight: 10,
    }));
    owned(state, {
      pending: target as never,
      recordSetKeys: records.map((ref) => recordSetKey(ref as never)),
    });

    // Act
    const next = await shiftTraffic(state, deps());

    // Assess
    expect(router.pairs.map((pair) => pair.green.Weight)).toEqual([10, 10]);
    expect(next.change.ids).toHaveLength(2);
    expect(entry()).toMatchObject({ phase: 'running', pending: null });
  });

  it('a retry whose write landed but whose reply was lost writes again and waits for INSYNC', async () => {
    // Prepare: the first invocation wrote 10 % but its result was lost; Step Functions retries with the same state.
    const state = runState();
    await shiftTraffic(state, deps());

    // Act
    const retried = await shiftTraffic(state, deps());

    // Assess
    expect(retried.status.greenPercent).toBe(10);
    expect(retried.change.ids).toHaveLength(1);
    expect(router.pairs[0]?.green.Weight).toBe(10);
  });

  it('undoes its own write when a stop landed while the batch was in flight', async () => {
    // Prepare
    router.afterWrite = () => executions.setStatus(SELF, 'ABORTED');

    // Act + Assess
    await expect(shiftTraffic(runState(), deps())).rejects.toMatchObject({
      name: 'ExecutionNotRunningError',
      message: expect.stringContaining('restored the snapshot'),
    });
    expect(router.writes.map((w) => w.kind)).toEqual(['apply', 'restore']);
    expect(router.pairs).toEqual([blueOnly()]);
  });

  it('does not undo when another migration took the records after the stopped run was restored', async () => {
    // Prepare
    router.afterWrite = () => {
      executions.setStatus(SELF, 'ABORTED');
      registry.locks.set(recordSetKey(draft().records[0] as never), 'newer');
    };

    // Act
    await shiftTraffic(runState(), deps()).catch(() => undefined);

    // Assess
    expect(router.writes.map((w) => w.kind)).toEqual(['apply']);
  });

  it('writes nothing in observe mode but still walks the schedule', async () => {
    // Prepare
    const state = runState({ input: { ...inputWith(), mode: 'observe' } });

    // Act
    const next = await shiftTraffic(state, deps());

    // Assess
    expect(router.writes).toEqual([]);
    expect(next.status.greenPercent).toBe(10);
  });
});

describe('Handler: checkDnsSync', () => {
  it('keeps polling while PENDING and gives up past dns.maxSyncWaitSeconds', async () => {
    // Prepare
    router.changeStatus = 'PENDING';
    const shifted = await shiftTraffic(runState(), ownedDeps());

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

/** The run shifted to its first step, INSYNC, and the clock at the first evaluation (+ `laterSeconds`). */
async function syncedFirstStep(input: MigrationInput, laterSeconds = 0): Promise<RunState> {
  const shifted = await shiftTraffic(runState({ input }), ownedDeps());
  const synced = await checkDnsSync(shifted, { router, clock });
  clock.advance(synced.waitSeconds + laterSeconds);
  return synced;
}

describe('Handler: evaluateMetrics', () => {
  it('rolls back at once when the gate it holds at was rejected (too little traffic: no gated round comes)', async () => {
    // Prepare: a gate before 50 % rejected in the registry; green sends 3 requests (Inconclusive -> hold)
    const input = inputWith({ metrics: { greenDiscoveryNames: ['orders'] } });
    const synced = await syncedFirstStep(input);
    const owner = entry() as MigrationEntry;
    registry.entries.set('orders', {
      ...owner,
      gate: {
        step: 50,
        openedAt: clock.now().toISOString(),
        timeoutAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
        defaultAction: 'rollback',
        taskToken: 'token',
        executionArn: owner.executionArn,
        answer: { action: 'reject', by: 'ana', at: clock.now().toISOString(), reason: 'p99' },
        closedAt: null,
      },
    });
    metrics.reading = everyMinute(3, 0);

    // Act
    const state = await evaluateMetrics(synced, { metrics, clock, registry });

    // Assess
    expect(state.evaluation?.verdict).toBe('Inconclusive');
    expect(state.decision).toEqual({
      action: 'rollback',
      reason: 'gate before 50% rejected by ana: p99',
    });
  });

  it('reads green and blue for the window and decides', async () => {
    // Prepare
    const input = inputWith({
      metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
    });
    const synced = await syncedFirstStep(input);
    metrics.reading = everyMinute(500, 1);

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

  it("keeps the edge's sequential test beside Service Connect's in the status", async () => {
    // Prepare: green's ALB and Service Connect both report every minute of the window.
    const input = inputWith({ metrics: { greenDiscoveryNames: ['orders'] } });
    const synced = await syncedFirstStep(input);
    // Service Connect's test from an earlier window (its samples here have no per-period counts).
    const earlier = initialSequentialState();
    const withEdge: RunState = {
      ...synced,
      status: { ...synced.status, sequential: { errorRate: earlier } },
      edge: [{ side: 'green', kind: 'application', name: 'g', dimension: 'app/g/1', dnsName: 'g' }],
    };
    const greenReading = (query: MetricQuery): MetricReading => ({
      kind: 'ok',
      services: query.targets.map((t) => ({
        ...traffic(t.discoveryName, 500, 1),
        periodStarts: periodsOf(query.window),
      })),
    });
    const edgeMetrics = Object.assign(metrics, {
      readAll: async (query: CombinedQuery): Promise<CombinedReading> => {
        const starts = periodsOf(query.green.window).map((start) => Date.parse(start));
        const each = (value: number) => ({ timestamps: starts, values: starts.map(() => value) });
        return {
          green: greenReading(query.green),
          blue: null,
          series: { kind: 'ok', series: { xe0_req: each(500), xe0_t5: each(1) }, failed: {} },
        };
      },
    });

    // Act
    const state = await evaluateMetrics(withEdge, { metrics: edgeMetrics, clock });

    // Assess
    expect(Object.keys(state.status.sequential ?? {}).sort()).toEqual([
      'edge:errorRate',
      'errorRate',
    ]);
    expect(state.status.sequential?.errorRate).toEqual(earlier);
    expect(state.status.sequential?.['edge:errorRate']?.consumedUntil).toBe(
      state.evaluation?.window?.end
    );
  });

  it('looks again in publicationPollSeconds when the newest minute is not published: no verdict', async () => {
    // Prepare: green has data, but not for the window's newest minute
    const input = inputWith({
      metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
    });
    const synced = await syncedFirstStep(input);
    metrics.reading = (query) => ({
      kind: 'ok',
      services: query.targets.map((t) => ({
        ...traffic(t.discoveryName, 500, 1),
        periodStarts: periodsOf(query.window).slice(0, -1),
      })),
    });

    // Act
    const state = await evaluateMetrics(synced, { metrics, clock });

    // Assess
    // Every source comes in the evaluation's one GetMetricData call, so blue is read with green (issue 11).
    expect(metrics.calls.map((q) => q.targets)).toContainEqual([{ discoveryName: 'orders' }]);
    expect(state.waitSeconds).toBe(30);
    expect(state.decision?.reason).toMatch(/^waiting for CloudWatch to publish the minute from /);
    expect(state.status).toEqual(synced.status);
    expect(state.evaluation).toBeNull();
  });

  it('announces a completed step when it advances, and a failed notification never blocks the run', async () => {
    // Prepare
    const input = inputWith({
      plan: { steps: [10, 50, 100], bakeSeconds: 60, evaluationIntervalSeconds: 60 },
    });
    const synced = await syncedFirstStep(input, 120);
    metrics.reading = everyMinute(500, 0);

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
    const shifted = await shiftTraffic(runState(), ownedDeps());
    const synced = await checkDnsSync(shifted, { router, clock });
    clock.advance(synced.waitSeconds);
    metrics.reading = everyMinute(500, 0);

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
    const synced = await syncedFirstStep(input);
    metrics.reading = (query) => ({
      kind: 'ok',
      services: query.targets.map(({ discoveryName: name }) => ({
        ...traffic(name, 500, 0, { latencyAvgMs: name === 'orders-blue' ? 80 : 75 }),
        periodStarts: periodsOf(query.window),
      })),
    });
    const remembered = await evaluateMetrics(synced, { metrics, clock });
    clock.advance(remembered.waitSeconds);
    metrics.reading = (query) => ({
      kind: 'ok',
      services: query.targets.some((t) => t.discoveryName === 'orders')
        ? [
            {
              ...traffic('orders', 3_000, 0, { latencyAvgMs: 200 }),
              periodStarts: periodsOf(query.window),
            },
          ]
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
    const shifted = await shiftTraffic(runState(), ownedDeps());
    const synced = await checkDnsSync(shifted, { router, clock });

    // Act
    const state = await evaluateMetrics(synced, { metrics, clock });

    // Assess
    expect(metrics.calls).toEqual([]);
    expect(state.evaluation?.verdict).toBe('Inconclusive');
  });
});

describe('Terminal handlers', () => {
  beforeEach(() => {
    owned();
  });

  it('rollback restores the snapshot verbatim, finishes the entry and says why', async () => {
    // Prepare
    const shifted = await shiftTraffic(runState(), deps());

    // Act
    const state = await rollback(
      { ...shifted, decision: { action: 'rollback', reason: 'failures (3) > maxFailures (2)' } },
      deps()
    );

    // Assess
    expect(router.pairs).toEqual([blueOnly()]);
    expect(state.outcome).toMatchObject({
      result: 'rolled-back',
      reason: 'failures (3) > maxFailures (2)',
    });
    expect(entry()?.phase).toBe('rolled-back');
    expect(registry.locks.size).toBe(0);
    expect(notifier.events.map((e) => e.type)).toEqual(['MigrationRolledBack']);
  });

  it('rollback with onDrift: stop leaves a hand-made change as found and ends stopped on drift', async () => {
    // Prepare
    await shiftTraffic(runState(), deps());
    router.pairs = [pairWith({ blue: 70, green: 30 }, { hostedZoneId: ZONE })];
    const decided = { ...runState(), decision: { action: 'rollback' as const, reason: 'metrics' } };

    // Act + Assess
    await expect(rollback(decided, deps())).rejects.toMatchObject({ name: 'DriftDetectedError' });
    expect(router.writes.map((w) => w.kind)).toEqual(['apply']);
    expect(router.pairs[0]?.green.Weight).toBe(30);
    expect(entry()?.phase).toBe('stopped-on-drift');
  });

  it('rollback with onDrift: rollback restores over a hand-made change', async () => {
    // Prepare
    owned(runState(), { onDrift: 'rollback' });
    router.pairs = [pairWith({ blue: 70, green: 30 }, { hostedZoneId: ZONE })];

    // Act
    await rollback(runState(), deps());

    // Assess
    expect(router.pairs).toEqual([blueOnly()]);
  });

  it('rollback is idempotent: a retry after the entry was finished returns the outcome without writing', async () => {
    // Prepare
    await rollback(runState(), deps());
    const writes = router.writes.length;

    // Act
    const again = await rollback(runState(), deps());

    // Assess
    expect(again.outcome?.result).toBe('rolled-back');
    expect(router.writes).toHaveLength(writes);
  });

  it('rollback turns a failed restore into RollbackFailedError for the long retry', async () => {
    // Prepare
    router.failRestore = new Error('PriorRequestNotComplete');

    // Act + Assess
    await expect(rollback(runState(), deps())).rejects.toMatchObject({
      name: 'RollbackFailedError',
    });
  });

  it('rollback keeps the name of an error no retry can fix (access denied, rejected batch)', async () => {
    // Prepare
    router.failRestore = new Route53ChangeRejectedError('Route 53 refused access (AccessDenied)');

    // Act + Assess
    await expect(rollback(runState(), deps())).rejects.toMatchObject({
      name: 'Route53ChangeRejectedError',
      message: expect.stringContaining('AccessDenied'),
    });
  });

  it('complete checks drift first: a hand-made change in the final bake is not a completion', async () => {
    // Prepare
    router.pairs = [pairWith({ blue: 70, green: 30 }, { hostedZoneId: ZONE })];

    // Act + Assess
    await expect(complete(runState(), deps())).rejects.toMatchObject({
      name: 'DriftDetectedError',
    });
    expect(entry()?.phase).toBe('stopped-on-drift');
    expect(router.writes).toEqual([]);
  });

  it('complete finishes the entry and releases the records', async () => {
    // Act
    const done = await complete(runState(), deps());

    // Assess
    expect(done.outcome?.result).toBe('completed');
    expect(entry()?.phase).toBe('completed');
    expect(registry.locks.size).toBe(0);
  });

  it('continue-as-new hands the entry to the successor before starting it', async () => {
    // Prepare
    let ownerAtStart: string | undefined;
    const start = executions.start.bind(executions);
    executions.start = async (...args) => {
      ownerAtStart = entry()?.executionArn;
      return start(...args);
    };

    // Act
    const continued = await continueAsNew(runState(), deps());

    // Assess
    expect(continued.outcome?.result).toBe('continued');
    expect(executions.started[0]).toMatchObject({ stateMachineArn: SM, name: 'self-c2' });
    expect(ownerAtStart).toBe(`${SELF}-c2`);
    expect(entry()).toMatchObject({ executionArn: `${SELF}-c2`, generation: 2, phase: 'running' });
  });

  it('continue-as-new refuses a successor name an existing execution already has', async () => {
    // Prepare
    executions.add({ executionArn: `${SELF}-c2`, status: 'SUCCEEDED' });

    // Act + Assess
    await expect(continueAsNew(runState(), deps())).rejects.toMatchObject({
      name: 'StepFunctionsRejectedError',
      message: expect.stringContaining('cannot continue as self-c2'),
    });
    expect(executions.started).toEqual([]);
    expect(entry()?.executionArn).toBe(SELF);
  });

  it('continue-as-new takes the entry back when the successor could not be started', async () => {
    // Prepare
    executions.start = async () => {
      throw new Error('StartExecution failed');
    };

    // Act
    await continueAsNew(runState(), deps()).catch(() => undefined);

    // Assess
    expect(entry()).toMatchObject({ executionArn: SELF, generation: 1 });
  });
});

describe('Handlers: onExecutionEnd and reconcile', () => {
  const change = (status: string, error: string | null = null, executionArn = SELF) =>
    ({
      detail: {
        executionArn,
        stateMachineArn: SM,
        name: 'self',
        status,
        startDate: 0,
        stopDate: 0,
        error,
      },
    }) as never;

  beforeEach(async () => {
    owned();
    await shiftTraffic(runState(), deps());
  });

  it('restores an aborted run that had shifted, verifies it and finishes the entry', async () => {
    // Prepare
    executions.setStatus(SELF, 'ABORTED');

    // Act
    const result = await onExecutionEnd(change('ABORTED'), deps());

    // Assess
    expect(result).toMatchObject({ action: 'restore', restored: true, migrationId: 'orders' });
    expect(router.pairs).toEqual([blueOnly()]);
    expect(entry()?.phase).toBe('restored');
    expect(notifier.events.map((e) => e.type)).toEqual(['MigrationAborted']);
  });

  it('is idempotent when the event arrives twice', async () => {
    // Prepare
    executions.setStatus(SELF, 'ABORTED');
    await onExecutionEnd(change('ABORTED'), deps());
    const restores = router.writes.filter((w) => w.kind === 'restore').length;

    // Act
    const again = await onExecutionEnd(change('ABORTED'), deps());

    // Assess
    expect(again).toMatchObject({ action: 'skip', restored: false });
    expect(router.writes.filter((w) => w.kind === 'restore')).toHaveLength(restores);
  });

  it('keeps the weights when the operator stopped with KeepWeights (read from the history end event)', async () => {
    // Prepare: DescribeExecution and the event carry no error for ABORTED; the ExecutionAborted event does
    executions.setStatus(SELF, 'ABORTED');
    executions.endErrors.set(SELF, 'KeepWeights');

    // Act
    const result = await onExecutionEnd(change('ABORTED'), deps());

    // Assess
    expect(result).toMatchObject({ action: 'keep-weights', restored: false });
    expect(router.pairs[0]?.green.Weight).toBe(10);
    expect(entry()?.phase).toBe('kept-weights');
  });

  it('trusts the event status and re-reads while DescribeExecution still says RUNNING', async () => {
    // Prepare: the read lags the stop; the KeepWeights code shows only once the read catches up
    executions.endErrors.set(SELF, 'KeepWeights');
    let waits = 0;
    const lagging = {
      ...deps(),
      sleep: async () => {
        waits += 1;
        if (waits === 2) executions.setStatus(SELF, 'ABORTED');
      },
    };

    // Act
    const result = await onExecutionEnd(change('ABORTED'), lagging);

    // Assess
    expect(waits).toBe(2);
    expect(result.action).toBe('keep-weights');
  });

  it('ignores statuses that need no recovery', async () => {
    // Act + Assess
    expect(await onExecutionEnd(change('SUCCEEDED'), deps())).toMatchObject({ action: 'skip' });
    expect(entry()?.phase).toBe('running');
  });

  it('never touches an entry a newer execution owns (handed over) or a completed one', async () => {
    // Prepare
    executions.setStatus(SELF, 'ABORTED');
    owned(runState(), { executionArn: `${SELF}-c2`, expected: entry()?.expected ?? [] });

    // Act
    const handed = await onExecutionEnd(change('ABORTED'), deps());
    owned(runState(), { phase: 'completed' });
    const completed = await onExecutionEnd(change('FAILED'), deps());

    // Assess
    expect(handed).toMatchObject({ action: 'skip' });
    expect(completed).toMatchObject({ action: 'skip' });
    expect(router.pairs[0]?.green.Weight).toBe(10);
  });

  it('restores after a continuation failed its preflight: the successor owns the entry', async () => {
    // Prepare
    const successor = `${SELF}-c2`;
    owned(runState(), { executionArn: successor, expected: entry()?.expected ?? [] });
    executions.add({ executionArn: successor, status: 'FAILED', error: 'PreflightFailed' });

    // Act
    const result = await onExecutionEnd(change('FAILED', 'PreflightFailed', successor), deps());

    // Assess
    expect(result).toMatchObject({ action: 'restore', restored: true });
    expect(router.pairs).toEqual([blueOnly()]);
  });

  it('reconcile restores ended owners, skips running ones and successors still in their grace period', async () => {
    // Prepare
    executions.setStatus(SELF, 'ABORTED');
    const other = (id: string, executionArn: string, zone: string) => {
      const state = runState({
        input: inputWith({
          migrationId: id,
          records: [{ ...draft().records[0], hostedZoneId: zone }],
        } as never),
      });
      owned({ ...state, run: { ...state.run, executionArn } });
    };
    executions.add({ executionArn: `${SELF}-running` });
    other('running', `${SELF}-running`, 'Z2RUNNING');
    other('unstarted', `${SELF}-never`, 'Z3NEVER');
    registry.entries.get('unstarted')!.updatedAt = clock.now().toISOString();

    // Act
    const first = await reconcile(deps());
    const second = await reconcile(deps());

    // Assess
    expect(first).toMatchObject({ checked: 3, restored: 1, skipped: 2, failed: [] });
    expect(router.pairs).toEqual([blueOnly()]);
    expect(second).toMatchObject({ checked: 2, restored: 0 });
  });

  it('reconcile recovers a handed-over successor that was never started, after the grace period', async () => {
    // Prepare
    owned(runState(), {
      executionArn: `${SELF}-c2`,
      expected: entry()?.expected ?? [],
      updatedAt: clock.now().toISOString(),
    });
    clock.advance(3_600);

    // Act
    const summary = await reconcile({ ...deps(), graceSeconds: 900 });

    // Assess
    expect(summary).toMatchObject({ restored: 1 });
    expect(entry()?.phase).toBe('restored');
  });
});
