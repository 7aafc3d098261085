/**
 * Issue 5.7, bad input, at the handler level: generated execution inputs (fast-check) are fed to the Preflight
 * handler (`preflight(event, deps)`) with spy ports that count every call. Every invalid input must be refused
 * with an InvalidInputError naming the offending field before ANY port is called (so before any AWS call at
 * all, and a fortiori before any write); every valid one must pass validation and preflight against ports
 * that succeed (records found at 100 % blue, green metrics present, no running execution).
 *
 * An execution input is either a new migration or `{ resume: RunState }`, the continuation a ContinueAsNew
 * hands over; both shapes are generated, valid and broken. Invalid inputs are built from valid ones by one
 * targeted mutation each, so the field the error must name is known independently of the validator.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../functions/core/errors.ts';
import {
  type MigrationInputDraft,
  parseMigrationInput,
  RECORD_TYPES,
} from '../../functions/core/input.ts';
import type { MigrationRegistry } from '../../functions/core/registry.ts';
import { afterShift, newRunState } from '../../functions/core/run.ts';
import { continuationInput } from '../../functions/core/run-end.ts';
import type {
  ExecutionControl,
  MetricSource,
  RunState,
  TrafficRouter,
} from '../../functions/core/state.ts';
import type { WeightedPair } from '../../functions/core/types.ts';
import { weightsFor } from '../../functions/core/weights.ts';
import { type PreflightEvent, preflight } from '../../functions/handlers/preflight.ts';
import { preflightEntry } from '../../functions/lib/ownership.ts';
import { FakeRegistry } from '../support/fake-ports.ts';
import { dnsArb, limitsArb } from '../support/input-arbitraries.ts';
import { countsText } from '../support/robustness-kit.ts';

const SEED = 7_777;
const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:traffic-shift';
const SELF = `${SM.replace(':stateMachine:', ':execution:')}:self`;
const NOW = '2026-09-14T08:00:00.000Z';

// ---------- Spy ports ----------

interface Spies {
  deps: {
    router: TrafficRouter;
    metrics: MetricSource;
    executions: ExecutionControl;
    clock: { now: () => Date };
    registry: MigrationRegistry;
  };
  calls: string[];
}

/** Wraps every method of `target` so that each call is counted, whatever the port grows into. */
function spy<T extends object>(name: string, target: T, calls: string[]): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(`${name}.${String(property)}`);
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

const bareZone = (id: string) => id.replace(/^\/hostedzone\//, '');
const normalName = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** The weighted alias pair Route 53 would return for `ref` (names already normalised in `key`). */
function aliasPair(
  key: { hostedZoneId: string; name: string; type: string },
  ref: { blueSetIdentifier: string; greenSetIdentifier: string },
  weights: { blue: number; green: number }
): WeightedPair {
  const side = (id: string, weight: number, color: string) => ({
    Name: `${key.name}.`,
    Type: key.type,
    SetIdentifier: id,
    Weight: weight,
    AliasTarget: {
      HostedZoneId: 'Z35SXDOTRQ7X7K',
      DNSName: `${color}.elb.amazonaws.com`,
      EvaluateTargetHealth: true,
    },
  });
  return {
    ...key,
    blue: side(ref.blueSetIdentifier, weights.blue, 'blue'),
    green: side(ref.greenSetIdentifier, weights.green, 'green'),
    // As if the aliases pointed at same-zone records with TTL 0: within every generated dns.maxTtlSeconds
    // (an ELB alias serves 60 s, which Preflight rightly refuses below dns.maxTtlSeconds 60).
    effectiveTtlSeconds: { blue: 0, green: 0 },
  };
}

/** Ports that succeed: records found at `weights` (100 % blue by default), metrics present, nobody running. */
function spyPorts(
  weights?: (ref: { hostedZoneId: string; name: string; type: string }) => {
    blue: number;
    green: number;
  },
  /** For a continuation: the predecessor whose latest state it resumes (preflight checks it is genuine). */
  predecessor?: RunState
): Spies {
  const calls: string[] = [];
  const refused = async () => {
    throw new Error('spy: this port method must not be called by preflight');
  };
  const router: TrafficRouter = {
    readPairs: async (refs) =>
      refs.map((ref): WeightedPair => {
        const key = {
          hostedZoneId: bareZone(ref.hostedZoneId),
          name: normalName(ref.name),
          type: ref.type,
        };
        return aliasPair(key, ref, weights?.(key) ?? { blue: 100, green: 0 });
      }),
    applyWeights: refused,
    restore: refused,
    getChangeStatus: refused,
    listProtectedRecords: async () => [],
    readHealthChecks: async () => [],
  };
  const metrics: MetricSource = {
    read: refused,
    listDiscoveryNamesWithHttpMetrics: async (_namespace, names) => [...names],
  };
  const executions: ExecutionControl = {
    describe: predecessor
      ? async (executionArn) => ({
          executionArn,
          stateMachineArn: SM,
          name: 'self-prev',
          status: 'SUCCEEDED',
          startDate: NOW,
          stopDate: null,
          input: {},
          error: null,
          cause: null,
          redriveCount: 0,
        })
      : refused,
    list: async () => [],
    start: refused,
    stop: refused,
    latestRunState: predecessor ? async () => structuredClone(predecessor) : refused,
    endError: refused,
  };
  // A continuation's predecessor handed the registry entry to this execution.
  const registry = new FakeRegistry();
  if (predecessor) {
    registry.entries.set(predecessor.input.migrationId, {
      ...preflightEntry(
        predecessor.input,
        { ...predecessor.run, executionArn: SELF },
        {
          kind: 'step-functions',
        }
      ),
      phase: 'running',
      snapshot: predecessor.snapshot,
      expected: predecessor.expected,
      version: 1,
    });
  }
  return {
    deps: {
      router: spy('router', router, calls),
      metrics: spy('metrics', metrics, calls),
      executions: spy('executions', executions, calls),
      clock: spy('clock', { now: () => new Date(NOW) }, calls),
      registry: spy('registry', registry as MigrationRegistry, calls),
    },
    calls,
  };
}

const eventFor = (input: unknown): PreflightEvent => ({
  input,
  executionArn: SELF,
  executionName: 'self',
  stateMachineArn: SM,
  startTime: NOW,
});

// ---------- Valid inputs ----------

const tenths = (min: number, max: number) => fc.integer({ min, max }).map((n) => n / 10);
const zoneId = fc
  .stringMatching(/^[A-Z0-9]{1,32}$/)
  .chain((id) => fc.constantFrom(id, `/hostedzone/${id}`));
const label = fc.stringMatching(/^[a-z0-9_]([a-z0-9_-]{0,12}[a-z0-9])?$/);
const dnsName = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean())
  .map(([labels, upper, dot]) => {
    const name = [...labels, 'example', 'com'].join('.');
    return `${upper ? name.toUpperCase() : name}${dot ? '.' : ''}`;
  });
const setIdentifier = fc.string({ minLength: 1, maxLength: 40 });
const recordRef = fc
  .record({
    hostedZoneId: zoneId,
    name: dnsName,
    type: fc.constantFrom(...RECORD_TYPES),
    blueSetIdentifier: setIdentifier,
    greenSetIdentifier: setIdentifier,
  })
  .filter((ref) => ref.blueSetIdentifier !== ref.greenSetIdentifier);
const records = fc.uniqueArray(recordRef, {
  minLength: 1,
  maxLength: 4,
  selector: (ref) => `${bareZone(ref.hostedZoneId)} ${normalName(ref.name)} ${ref.type}`,
});

const planKind = fc.oneof(
  fc
    .uniqueArray(fc.integer({ min: 1, max: 999 }), { maxLength: 6 })
    .map((ts) => ({ steps: [...ts.sort((a, b) => a - b).map((t) => t / 10), 100] })),
  tenths(1, 999).map((percent) => ({ canary: { percent } })),
  tenths(10, 500).map((stepPercent) => ({ linear: { stepPercent } })),
  fc
    .record({ startPercent: tenths(1, 999), factor: fc.double({ min: 1.5, max: 10, noNaN: true }) })
    .map((exponential) => ({ exponential }))
);
const plan = fc
  .tuple(
    planKind,
    fc.option(fc.integer({ min: 60, max: 604_800 }), { nil: undefined }),
    fc.option(fc.integer({ min: 60, max: 3_600 }), { nil: undefined }),
    fc.option(fc.integer({ min: 0, max: 604_800 }), { nil: undefined })
  )
  .map(([kind, bakeSeconds, interval, finalBakeSeconds]) => {
    const bake = bakeSeconds ?? 600;
    return {
      ...kind,
      ...(bakeSeconds === undefined ? {} : { bakeSeconds }),
      ...(interval === undefined ? {} : { evaluationIntervalSeconds: Math.min(interval, bake) }),
      ...(finalBakeSeconds === undefined ? {} : { finalBakeSeconds }),
    };
  });
const discoveryName = fc.string({ minLength: 1, maxLength: 64 });
const metrics = fc
  .tuple(
    fc.array(discoveryName, { minLength: 1, maxLength: 4 }),
    fc.option(fc.array(discoveryName, { maxLength: 3 }), { nil: undefined }),
    fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
    fc.integer({ min: 1, max: 60 }),
    fc.option(fc.integer({ min: 0, max: 900 }), { nil: undefined }),
    fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined })
  )
  .map(([greenDiscoveryNames, blue, periodMinutes, windowFactor, delay, namespace]) => {
    const period = (periodMinutes ?? 1) * 60;
    const windowSeconds = Math.max(1, Math.min(windowFactor, Math.floor(3_600 / period))) * period;
    return {
      greenDiscoveryNames,
      ...(blue === undefined ? {} : { blueDiscoveryNames: blue }),
      ...(periodMinutes === undefined ? {} : { periodSeconds: period }),
      windowSeconds,
      ...(delay === undefined ? {} : { publicationDelaySeconds: delay }),
      ...(namespace === undefined ? {} : { namespace }),
    };
  });
const thresholds = fc.record(
  {
    minRequests: fc.integer({ min: 1, max: 1_000_000 }),
    errorRateMaxPercent: fc.double({ min: 0, max: 100, noNaN: true }),
    confidence: fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
    latencyAvgMaxMs: fc.double({ min: 0.5, max: 100_000, noNaN: true }),
    baseline: fc.record(
      {
        errorRateMaxRatio: fc.double({ min: 1, max: 100, noNaN: true }),
        latencyAvgMinDeltaMs: fc.integer({ min: 0, max: 1_000 }),
      },
      { requiredKeys: [] }
    ),
  },
  { requiredKeys: [] }
);
const validDraft: fc.Arbitrary<MigrationInputDraft> = fc
  .record(
    {
      migrationId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
      records,
      plan,
      metrics,
      thresholds,
      limits: limitsArb,
      dns: dnsArb,
      mode: fc.constantFrom('shift', 'observe'),
      onDrift: fc.constantFrom('stop', 'rollback'),
    },
    { requiredKeys: ['migrationId', 'records', 'plan', 'metrics'] }
  )
  .map((draft) => draft as MigrationInputDraft);

/** A genuine continuation: what ContinueAsNew hands over, after 0 or 1 shifts. */
const validResume = fc.tuple(validDraft, fc.boolean()).map(([draft, shifted]) => {
  const input = parseMigrationInput(draft);
  const snapshot = input.records.map((ref) => {
    const key = { hostedZoneId: ref.hostedZoneId, name: ref.name, type: ref.type };
    return aliasPair(key, ref, { blue: 100, green: 0 });
  });
  const first = newRunState(
    input,
    {
      executionArn: `${SELF}-prev`,
      executionName: 'self-prev',
      stateMachineArn: SM,
      startedAt: NOW,
      generation: 1,
      continuedFrom: null,
    },
    snapshot
  );
  const { next: _next, ...state } = first;
  const percent = state.steps[0] ?? 100;
  const current: RunState = shifted
    ? afterShift(
        state,
        percent,
        snapshot.map((pair) => weightsFor(pair, percent)),
        ['/change/C1'],
        new Date(NOW)
      )
    : state;
  return continuationInput(current);
});

// ---------- Invalid inputs: one targeted mutation each ----------

type Draft = Record<string, unknown> & {
  records: Record<string, unknown>[];
  plan: Record<string, unknown>;
  metrics: Record<string, unknown>;
};
interface Mutation {
  name: string;
  /** Mutates `draft` in place; returns the path the error must name. */
  apply: (draft: Draft, n: number) => string;
}

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length] as T;
const onlyPlanKind = (draft: Draft, kind: Record<string, unknown>) => {
  for (const key of ['steps', 'canary', 'linear', 'exponential']) delete draft.plan[key];
  Object.assign(draft.plan, kind);
};

/** Sets `target[key]` and returns the path the error must name. */
function put(target: object, key: string, value: unknown, path: string): string {
  (target as Record<string, unknown>)[key] = value;
  return path;
}

/** Deletes `target[key]` and returns the path the error must name. */
function drop(target: object, key: string, path: string): string {
  delete (target as Record<string, unknown>)[key];
  return path;
}

/** Replaces the plan's kind and returns the path the error must name. */
function planKindOf(draft: Draft, kind: Record<string, unknown>, path: string): string {
  onlyPlanKind(draft, kind);
  return path;
}

const MUTATIONS: Mutation[] = [
  {
    name: 'migrationId-pattern',
    apply: (d, n) =>
      put(
        d,
        'migrationId',
        pick(['', '-x', '_lead', 'has space', 'x'.repeat(65), 'ünï', 'a/b'], n),
        'migrationId'
      ),
  },
  { name: 'migrationId-missing', apply: (d) => drop(d, 'migrationId', 'migrationId') },
  {
    name: 'migrationId-type',
    apply: (d, n) => put(d, 'migrationId', pick([42, null, true, ['x']], n), 'migrationId'),
  },
  { name: 'records-empty', apply: (d) => put(d, 'records', [], 'records') },
  {
    name: 'records-too-many',
    apply: (d) => {
      const base = d.records[0]!;
      return put(
        d,
        'records',
        Array.from({ length: 51 }, (_, i) => ({ ...base, name: `r${i}.example.com` })),
        'records'
      );
    },
  },
  {
    name: 'records-type',
    apply: (d, n) => put(d, 'records', pick(['api.example.com', {}, null, 7], n), 'records'),
  },
  {
    name: 'hostedZoneId',
    apply: (d, n) => {
      const i = n % d.records.length;
      return put(
        d.records[i]!,
        'hostedZoneId',
        pick(['z0123lower', 'Z-12', '', 'Z'.repeat(33), '/hostedzone/', 12345], n),
        `records[${i}].hostedZoneId`
      );
    },
  },
  {
    name: 'record-name',
    apply: (d, n) => {
      const i = n % d.records.length;
      const name = pick(
        [
          '',
          'a..example.com',
          'has space.example.com',
          `${'x'.repeat(64)}.com`,
          '.lead.example.com',
          'ünï.example.com',
        ],
        n
      );
      return put(d.records[i]!, 'name', name, `records[${i}].name`);
    },
  },
  {
    name: 'record-type',
    apply: (d, n) => {
      const i = n % d.records.length;
      return put(
        d.records[i]!,
        'type',
        pick(['a', 'SOA', 'NS', 'ANY', '', 5], n),
        `records[${i}].type`
      );
    },
  },
  {
    name: 'set-identifier',
    apply: (d, n) => {
      const i = n % d.records.length;
      const side = pick(['blueSetIdentifier', 'greenSetIdentifier'], n);
      return put(
        d.records[i]!,
        side,
        pick(['', 'x'.repeat(129), null], n),
        `records[${i}].${side}`
      );
    },
  },
  {
    name: 'set-identifiers-equal',
    apply: (d, n) => {
      const i = n % d.records.length;
      return put(
        d.records[i]!,
        'greenSetIdentifier',
        d.records[i]!['blueSetIdentifier'],
        `records[${i}].greenSetIdentifier`
      );
    },
  },
  {
    name: 'record-duplicate',
    apply: (d, n) => {
      const i = n % d.records.length;
      d.records.push({
        ...d.records[i],
        blueSetIdentifier: 'dup-blue',
        greenSetIdentifier: 'dup-green',
      });
      return `records[${d.records.length - 1}]`;
    },
  },
  {
    name: 'unknown-key',
    apply: (d, n) => {
      const where = pick(['root', 'plan', 'metrics', 'record', 'thresholds', 'dns'], n);
      if (where === 'root') return put(d, 'migrationID', 'typo', 'migrationID');
      if (where === 'plan') return put(d.plan, 'bakeSecs', 600, 'plan.bakeSecs');
      if (where === 'metrics')
        return put(d.metrics, 'greenDiscoveryName', 'x', 'metrics.greenDiscoveryName');
      if (where === 'record') return put(d.records[0]!, 'weight', 10, 'records[0].weight');
      if (where === 'thresholds')
        return put(
          d,
          'thresholds',
          { ...(d['thresholds'] as object), errorRate: 1 },
          'thresholds.errorRate'
        );
      return put(d, 'dns', { ...(d['dns'] as object), ttl: 60 }, 'dns.ttl');
    },
  },
  {
    name: 'plan-two-kinds',
    apply: (d, n) => {
      const extra = pick(
        [
          { canary: { percent: 10 } },
          { linear: { stepPercent: 10 } },
          { steps: [50, 100] },
          { exponential: { startPercent: 1, factor: 2 } },
        ],
        n
      );
      const key = Object.keys(extra)[0]!;
      Object.assign(
        d.plan,
        key in d.plan
          ? key === 'canary'
            ? { linear: { stepPercent: 10 } }
            : { canary: { percent: 10 } }
          : extra
      );
      return 'plan';
    },
  },
  { name: 'plan-no-kind', apply: (d) => planKindOf(d, {}, 'plan') },
  {
    name: 'steps-not-increasing',
    apply: (d) => planKindOf(d, { steps: [50, 10, 100] }, 'plan.steps[1]'),
  },
  {
    name: 'steps-last-not-100',
    apply: (d, n) =>
      planKindOf(d, { steps: pick([[10, 50], [99.9]], n) }, `plan.steps[${pick([1, 0], n)}]`),
  },
  {
    name: 'step-out-of-range',
    apply: (d, n) =>
      planKindOf(
        d,
        {
          steps: pick(
            [
              [0, 100],
              [10.25, 100],
              [-5, 100],
            ],
            n
          ),
        },
        'plan.steps[0]'
      ),
  },
  { name: 'steps-empty', apply: (d) => planKindOf(d, { steps: [] }, 'plan.steps') },
  {
    name: 'canary-100',
    apply: (d, n) =>
      planKindOf(d, { canary: { percent: pick([100, 0, 12.34], n) } }, 'plan.canary.percent'),
  },
  {
    name: 'linear-range',
    apply: (d, n) =>
      planKindOf(
        d,
        { linear: { stepPercent: pick([0.5, 51, 10.05], n) } },
        'plan.linear.stepPercent'
      ),
  },
  {
    name: 'exponential-factor',
    apply: (d, n) =>
      planKindOf(
        d,
        { exponential: { startPercent: 1, factor: pick([1.2, 11, Number.NaN], n) } },
        'plan.exponential.factor'
      ),
  },
  {
    name: 'bakeSeconds',
    apply: (d, n) =>
      put(d.plan, 'bakeSeconds', pick([59, 60.5, 604_801, -1, '600'], n), 'plan.bakeSeconds'),
  },
  {
    name: 'interval-above-bake',
    apply: (d) => {
      Object.assign(d.plan, { bakeSeconds: 120, evaluationIntervalSeconds: 180 });
      return 'plan.evaluationIntervalSeconds';
    },
  },
  {
    name: 'finalBakeSeconds',
    apply: (d, n) =>
      put(d.plan, 'finalBakeSeconds', pick([-1, 604_801, 1.5], n), 'plan.finalBakeSeconds'),
  },
  {
    name: 'period-not-multiple',
    apply: (d, n) => {
      Object.assign(d.metrics, { periodSeconds: pick([90, 30, 3_660], n), windowSeconds: 3_600 });
      return 'metrics.periodSeconds';
    },
  },
  {
    name: 'window-not-multiple',
    apply: (d) => {
      Object.assign(d.metrics, { periodSeconds: 120, windowSeconds: 180 });
      return 'metrics.windowSeconds';
    },
  },
  {
    name: 'green-names-empty',
    apply: (d) => put(d.metrics, 'greenDiscoveryNames', [], 'metrics.greenDiscoveryNames'),
  },
  {
    name: 'green-name-too-long',
    apply: (d) =>
      put(d.metrics, 'greenDiscoveryNames', ['x'.repeat(65)], 'metrics.greenDiscoveryNames[0]'),
  },
  { name: 'metrics-missing', apply: (d) => drop(d, 'metrics', 'metrics') },
  {
    name: 'publication-delay',
    apply: (d, n) =>
      put(
        d.metrics,
        'publicationDelaySeconds',
        pick([-1, 901, 1.5], n),
        'metrics.publicationDelaySeconds'
      ),
  },
  {
    name: 'confidence',
    apply: (d, n) =>
      put(d, 'thresholds', { confidence: pick([0.3, 1, 'high'], n) }, 'thresholds.confidence'),
  },
  {
    name: 'minRequests',
    apply: (d, n) =>
      put(d, 'thresholds', { minRequests: pick([0, 1.5, 1_000_001], n) }, 'thresholds.minRequests'),
  },
  {
    name: 'latency-limit',
    apply: (d, n) =>
      put(d, 'thresholds', { latencyAvgMaxMs: pick([0, -10], n) }, 'thresholds.latencyAvgMaxMs'),
  },
  {
    name: 'limits',
    apply: (d, n) => {
      const [key, value] = pick(
        [
          ['maxFailures', -1],
          ['onInconclusiveLimit', 'panic'],
          ['maxConsecutiveErrors', 2.5],
        ] as const,
        n
      );
      return put(d, 'limits', { [key]: value }, `limits.${key}`);
    },
  },
  {
    name: 'dns',
    apply: (d, n) => {
      const [key, value] = pick(
        [
          ['syncPollSeconds', 0],
          ['maxSyncWaitSeconds', 30],
          ['maxTtlSeconds', 86_401],
        ] as const,
        n
      );
      return put(d, 'dns', { [key]: value }, `dns.${key}`);
    },
  },
  { name: 'mode', apply: (d) => put(d, 'mode', 'dry-run', 'mode') },
  { name: 'onDrift', apply: (d) => put(d, 'onDrift', 'ignore', 'onDrift') },
  {
    name: 'section-type',
    apply: (d, n) => {
      const [key, value] = pick(
        [
          ['plan', 'fast'],
          ['metrics', null],
          ['thresholds', []],
          ['limits', 3],
          ['dns', 'none'],
        ] as const,
        n
      );
      return put(d, key, value, key);
    },
  },
];

const mutationIndex = fc.integer({ min: 0, max: MUTATIONS.length - 1 });
const invalidDraft = fc.tuple(validDraft, mutationIndex, fc.nat(1_000)).map(([draft, index, n]) => {
  const mutated = structuredClone(draft) as unknown as Draft;
  const mutation = MUTATIONS[index]!;
  return { input: mutated as unknown, path: mutation.apply(mutated, n), mutation: mutation.name };
});

/** Not an object at all: the error names the root. */
const notAnObject = fc
  .constantFrom<unknown>(null, 42, 'migration', [], [{}], true)
  .map((input) => ({ input, path: '', mutation: 'not-an-object' }));

/** A broken continuation: garbage `resume`, a missing part, or a migration input broken the same ways. */
const invalidResume = fc.oneof(
  fc.constantFrom<unknown>(null, 42, 'state', [], true).map((resume) => ({
    input: { resume } as unknown,
    path: 'resume',
    mutation: 'resume-not-an-object',
  })),
  fc
    .tuple(
      validResume,
      fc.constantFrom('input', 'run', 'snapshot', 'expected', 'steps', 'status', 'change')
    )
    .map(([valid, part]) => {
      const resume = structuredClone(valid.resume) as unknown as Record<string, unknown>;
      delete resume[part];
      return {
        input: { resume } as unknown,
        path: `resume.${part}`,
        mutation: 'resume-part-missing',
      };
    }),
  fc.tuple(validResume, mutationIndex, fc.nat(1_000)).map(([valid, index, n]) => {
    const resume = structuredClone(valid.resume);
    const mutation = MUTATIONS[index]!;
    const path = mutation.apply(resume.input as unknown as Draft, n);
    return {
      input: { resume } as unknown,
      path: path === '' ? 'resume.input' : `resume.input.${path}`,
      mutation: 'resume-input-mutated',
    };
  }),
  validResume.map((valid) => ({
    input: { ...valid, migrationId: 'smuggled' } as unknown,
    path: 'migrationId',
    mutation: 'resume-extra-key',
  }))
);

// ---------- The property ----------

function namesField(error: unknown, path: string): boolean {
  if (!(error instanceof InvalidInputError)) return false;
  const named = error.issues.some(
    (issue) =>
      issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`)
  );
  return named && error.message.includes(path === '' ? '(root)' : path);
}

describe('Bad input at the Preflight handler: refused naming the field before any port call; valid input accepted', () => {
  it('>= 1,000 generated execution inputs (new migrations and continuations, valid and broken)', async () => {
    // Prepare
    const counts: Record<string, number> = {};
    const byMutation: Record<string, number> = {};
    const failures: string[] = [];
    let portCallsOnInvalid = 0;
    const count = (key: string) => {
      counts[key] = (counts[key] ?? 0) + 1;
    };
    const checkInvalid = async ({
      input,
      path,
      mutation,
    }: {
      input: unknown;
      path: string;
      mutation: string;
    }) => {
      count('invalid');
      byMutation[mutation] = (byMutation[mutation] ?? 0) + 1;
      const { deps, calls } = spyPorts();
      const outcome = await preflight(eventFor(input), deps).then(
        () => null,
        (error: unknown) => error
      );
      portCallsOnInvalid += calls.length;
      const ok = namesField(outcome, path) && calls.length === 0;
      if (!ok)
        failures.push(
          `${mutation}: expected InvalidInputError naming "${path}" with no port call; got ${outcome === null ? 'acceptance' : `${(outcome as Error).name}: ${(outcome as Error).message}`} after ${calls.length} call(s) [${calls.join(', ')}]; input ${JSON.stringify(input).slice(0, 300)}`
        );
      return ok;
    };
    const checkValid = async (
      input: unknown,
      kind: string,
      weights?: Parameters<typeof spyPorts>[0]
    ) => {
      count(kind);
      const resume = (input as { resume?: RunState } | null)?.resume;
      const { deps, calls } = spyPorts(weights, kind === 'valid-resume' ? resume : undefined);
      const outcome = await preflight(eventFor(input), deps).then(
        (state) => state,
        (error: unknown) => error as Error
      );
      const ok =
        !(outcome instanceof Error) &&
        outcome.next === (kind === 'valid-resume' ? 'bake' : 'shift') &&
        calls.length > 0;
      if (!ok)
        failures.push(
          `${kind}: expected acceptance; got ${outcome instanceof Error ? `${outcome.name}: ${outcome.message}` : `next ${outcome.next}`}; input ${JSON.stringify(input).slice(0, 300)}`
        );
      return ok;
    };
    // Deterministic samples (seeded), every one checked, so that all figures are printed before the verdict.
    const sample = <T>(arbitrary: fc.Arbitrary<T>, numRuns: number, offset: number) =>
      fc.sample(arbitrary, { seed: SEED + offset, numRuns });

    // Act
    for (const input of sample(validDraft, 400, 1)) await checkValid(input, 'valid-new');
    for (const input of sample(validResume, 100, 2)) {
      const expected = new Map(
        input.resume.expected.map((w) => [
          `${w.hostedZoneId} ${w.name} ${w.type}`,
          { blue: w.blueWeight, green: w.greenWeight },
        ])
      );
      await checkValid(
        input,
        'valid-resume',
        (ref) =>
          expected.get(`${ref.hostedZoneId} ${ref.name} ${ref.type}`) ?? { blue: 100, green: 0 }
      );
    }
    for (const broken of sample(invalidDraft, 600, 3)) await checkInvalid(broken);
    for (const broken of sample(notAnObject, 30, 4)) await checkInvalid(broken);
    for (const broken of sample(invalidResume, 200, 5)) await checkInvalid(broken);

    // Assess
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    console.log(
      `[bad-input] inputs=${total} ${countsText(counts)} mutationsTried=${Object.keys(byMutation).length} byMutation{${countsText(byMutation)}} portCallsOnInvalid=${portCallsOnInvalid} failures=${failures.length}`
    );
    for (const failure of failures.slice(0, 10)) console.log(`[bad-input] FAILURE ${failure}`);
    expect(failures).toEqual([]);
    expect(total).toBeGreaterThanOrEqual(1_000);
    expect(Object.keys(byMutation)).toEqual(
      expect.arrayContaining(MUTATIONS.map((mutation) => mutation.name))
    );
    expect(portCallsOnInvalid).toBe(0);
  }, 60_000);
});
