/**
 * Every rule of the input schema names itself (found by `npm run mutation`: the generated-input tests check that
 * the right field is named, not what the rule says). One row per bound: the value just past it and the rule text
 * the user reads. Plus the custom issues' shape and the two anchors the normalisers rely on.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import {
  MAX_PLAN_SECONDS,
  MigrationInputSchema,
  parseMigrationInput,
  RECORD_TYPES,
} from '../../../functions/core/input.ts';
import { draft } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: drafts are broken on purpose, in ways no type allows
type Loose = Record<string, any>;

/** `draft()` with `value` at a dotted path (`plan.bakeSeconds`, `records.0.name`). */
function draftWith(path: string, value: unknown): Loose {
  const root: Loose = structuredClone(draft());
  const keys = path.split('.');
  let node: Loose = root;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key];
  }
  node[keys.at(-1) as string] = value;
  return root;
}

function issuesOf(raw: unknown): { path: string; rule: string }[] {
  try {
    parseMigrationInput(raw);
    return [];
  } catch (error) {
    if (error instanceof InvalidInputError) return [...error.issues];
    throw error;
  }
}

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);
const record = draft().records[0];
const INTEGER = 'must be an integer';
const WEEK = 'must be <= 604800 (7 days)';

describe('Function: parseMigrationInput, the rule of every bound', () => {
  it.each([
    // plan: steps and the three generated kinds
    { path: 'plan.steps', value: [0, 100], at: 'plan.steps[0]', rule: 'must be > 0' },
    { path: 'plan.steps', value: [101], at: 'plan.steps[0]', rule: 'must be <= 100' },
    {
      path: 'plan.steps',
      value: [10.05, 100],
      at: 'plan.steps[0]',
      rule: 'must have at most one decimal place',
    },
    { path: 'plan.steps', value: [], at: 'plan.steps', rule: 'must have at least one step' },
    {
      path: 'plan.steps',
      value: range(101).map((n) => n / 10),
      at: 'plan.steps',
      rule: 'must have at most 100 steps',
    },
    {
      path: 'plan.steps',
      value: [50, 50, 100],
      at: 'plan.steps[1]',
      rule: 'must be greater than the previous step (50)',
    },
    {
      path: 'plan',
      value: { canary: { percent: 100 } },
      at: 'plan.canary.percent',
      rule: 'must be < 100',
    },
    {
      path: 'plan',
      value: { linear: { stepPercent: 0.5 } },
      at: 'plan.linear.stepPercent',
      rule: 'must be >= 1',
    },
    {
      path: 'plan',
      value: { linear: { stepPercent: 51 } },
      at: 'plan.linear.stepPercent',
      rule: 'must be <= 50',
    },
    {
      path: 'plan',
      value: { linear: { stepPercent: 1.05 } },
      at: 'plan.linear.stepPercent',
      rule: 'must have at most one decimal place',
    },
    {
      path: 'plan',
      value: { exponential: { startPercent: 100, factor: 2 } },
      at: 'plan.exponential.startPercent',
      rule: 'must be < 100',
    },
    {
      path: 'plan',
      value: { exponential: { startPercent: 1, factor: 1.4 } },
      at: 'plan.exponential.factor',
      rule: 'must be >= 1.5',
    },
    {
      path: 'plan',
      value: { exponential: { startPercent: 1, factor: 11 } },
      at: 'plan.exponential.factor',
      rule: 'must be <= 10',
    },
    {
      path: 'plan',
      value: { bakeSeconds: 600 },
      rule: 'exactly one of steps, canary, linear, exponential is required (got none)',
    },
    {
      path: 'plan.evaluationIntervalSeconds',
      value: 660,
      rule: 'must be <= bakeSeconds (600)',
    },
    {
      path: 'records',
      value: [record, record],
      at: 'records[1]',
      rule: 'duplicates records[0] (same zone, name and type)',
    },
    { path: 'plan.bakeSeconds', value: 600.5, rule: INTEGER },
    { path: 'plan.bakeSeconds', value: 59, rule: 'must be >= 60' },
    { path: 'plan.bakeSeconds', value: 604_801, rule: WEEK },
    { path: 'plan.evaluationIntervalSeconds', value: 60.5, rule: INTEGER },
    { path: 'plan.evaluationIntervalSeconds', value: 59, rule: 'must be >= 60' },
    { path: 'plan.evaluationIntervalSeconds', value: 3_601, rule: 'must be <= 3600' },
    { path: 'plan.finalBakeSeconds', value: 0.5, rule: INTEGER },
    { path: 'plan.finalBakeSeconds', value: -1, rule: 'must be >= 0' },
    { path: 'plan.finalBakeSeconds', value: 604_801, rule: WEEK },
    // records
    {
      path: 'records',
      value: range(51).map((n) => ({ ...record, name: `r${n}.example.com` })),
      rule: 'must have at most 50 records',
    },
    {
      path: 'records.0.hostedZoneId',
      value: 'Z0123456789ABC-x',
      at: 'records[0].hostedZoneId',
      rule: 'must be a Route 53 hosted zone ID such as Z0123456789ABC',
    },
    {
      path: 'records.0.type',
      value: undefined,
      at: 'records[0].type',
      rule: `must be one of ${RECORD_TYPES.join(', ')}`,
    },
    { path: 'records.0.name', value: '', at: 'records[0].name', rule: 'must not be empty' },
    {
      path: 'records.0.name',
      value: `${'a.'.repeat(127)}ab`,
      at: 'records[0].name',
      rule: 'must be at most 255 characters',
    },
    {
      path: 'records.0.blueSetIdentifier',
      value: '',
      at: 'records[0].blueSetIdentifier',
      rule: 'must not be empty',
    },
    {
      path: 'records.0.blueSetIdentifier',
      value: 'b'.repeat(129),
      at: 'records[0].blueSetIdentifier',
      rule: 'must be at most 128 characters',
    },
    // metrics
    {
      path: 'metrics.greenDiscoveryNames',
      value: [''],
      at: 'metrics.greenDiscoveryNames[0]',
      rule: 'must not be empty',
    },
    {
      path: 'metrics.greenDiscoveryNames',
      value: ['o'.repeat(65)],
      at: 'metrics.greenDiscoveryNames[0]',
      rule: 'must be at most 64 characters',
    },
    {
      path: 'metrics.greenDiscoveryNames',
      value: range(101).map((n) => `g${n}`),
      rule: 'must have at most 100 discovery names',
    },
    {
      path: 'metrics.blueDiscoveryNames',
      value: range(101).map((n) => `b${n}`),
      rule: 'must have at most 100 discovery names',
    },
    { path: 'metrics.periodSeconds', value: 60.5, rule: INTEGER },
    { path: 'metrics.periodSeconds', value: 59, rule: 'must be >= 60' },
    { path: 'metrics.periodSeconds', value: 3_601, rule: 'must be <= 3600' },
    { path: 'metrics.publicationDelaySeconds', value: 0.5, rule: INTEGER },
    { path: 'metrics.publicationDelaySeconds', value: -1, rule: 'must be >= 0' },
    { path: 'metrics.publicationDelaySeconds', value: 901, rule: 'must be <= 900' },
    { path: 'metrics.windowSeconds', value: 300.5, rule: INTEGER },
    { path: 'metrics.windowSeconds', value: 59, rule: 'must be >= 60' },
    { path: 'metrics.windowSeconds', value: 3_601, rule: 'must be <= 3600' },
    // thresholds
    { path: 'thresholds.minRequests', value: 50.5, rule: INTEGER },
    { path: 'thresholds.minRequests', value: 0, rule: 'must be >= 1' },
    { path: 'thresholds.minRequests', value: 1_000_001, rule: 'must be <= 1000000' },
    { path: 'thresholds.errorRateMaxPercent', value: -1, rule: 'must be >= 0' },
    { path: 'thresholds.errorRateMaxPercent', value: 101, rule: 'must be <= 100' },
    { path: 'thresholds.confidence', value: 0.49, rule: 'must be >= 0.5' },
    { path: 'thresholds.confidence', value: 1, rule: 'must be <= 0.9999' },
    { path: 'thresholds.latencyAvgMaxMs', value: 0, rule: 'must be > 0' },
    { path: 'thresholds.latencyMaxMs', value: 0, rule: 'must be > 0' },
    { path: 'thresholds.latencyP99MaxMs', value: 0, rule: 'must be > 0' },
    { path: 'thresholds.baseline.errorRateMaxRatio', value: 0.9, rule: 'must be >= 1' },
    { path: 'thresholds.baseline.errorRateMaxRatio', value: 101, rule: 'must be <= 100' },
    { path: 'thresholds.baseline.errorRateMinDeltaPercent', value: -1, rule: 'must be >= 0' },
    { path: 'thresholds.baseline.errorRateMinDeltaPercent', value: 101, rule: 'must be <= 100' },
    { path: 'thresholds.baseline.latencyAvgMaxRatio', value: 0.9, rule: 'must be >= 1' },
    { path: 'thresholds.baseline.latencyAvgMaxRatio', value: 101, rule: 'must be <= 100' },
    { path: 'thresholds.baseline.latencyAvgMinDeltaMs', value: -1, rule: 'must be >= 0' },
    // limits
    ...(['maxFailures', 'maxConsecutiveFailures', 'maxConsecutiveErrors'] as const).flatMap(
      (key) => [
        { path: `limits.${key}`, value: 0.5, rule: INTEGER },
        { path: `limits.${key}`, value: -1, rule: 'must be >= 0' },
        { path: `limits.${key}`, value: 1_001, rule: 'must be <= 1000' },
      ]
    ),
    { path: 'limits.maxInconclusive', value: 0.5, rule: INTEGER },
    { path: 'limits.maxInconclusive', value: -1, rule: 'must be >= 0' },
    { path: 'limits.maxInconclusive', value: 100_001, rule: 'must be <= 100000' },
    // dns
    { path: 'dns.maxTtlSeconds', value: 0.5, rule: INTEGER },
    { path: 'dns.maxTtlSeconds', value: -1, rule: 'must be >= 0' },
    { path: 'dns.maxTtlSeconds', value: 86_401, rule: 'must be <= 86400' },
    { path: 'dns.syncPollSeconds', value: 0.5, rule: INTEGER },
    { path: 'dns.syncPollSeconds', value: 0, rule: 'must be >= 1' },
    { path: 'dns.syncPollSeconds', value: 301, rule: 'must be <= 300' },
    { path: 'dns.maxSyncWaitSeconds', value: 60.5, rule: INTEGER },
    { path: 'dns.maxSyncWaitSeconds', value: 59, rule: 'must be >= 60' },
    { path: 'dns.maxSyncWaitSeconds', value: 3_601, rule: 'must be <= 3600' },
  ])(
    '$path = $value: $rule',
    ({ path, value, at, rule }: { path: string; value: unknown; at?: string; rule: string }) => {
      // Act
      const issues = issuesOf(draftWith(path, value));

      // Assess
      expect(issues).toContainEqual({ path: at ?? path, rule });
    }
  );

  it('accepts each plan kind at its bounds', () => {
    // Act + Assess: the values one step inside the rows above
    for (const plan of [
      { steps: [0.1, 100] },
      { canary: { percent: 99.9 } },
      { linear: { stepPercent: 1 } },
      { linear: { stepPercent: 50 } },
      { exponential: { startPercent: 99.9, factor: 1.5 } },
      { exponential: { startPercent: 0.1, factor: 10 } },
    ]) {
      expect(issuesOf(draftWith('plan', plan))).toEqual([]);
    }
  });

  it('reports its own rules as custom issues, with the message as the rule', () => {
    // Prepare: step order, last step, plan kind, interval > bake, duplicate record
    const raw = draftWith('plan', {
      steps: [50, 50],
      canary: { percent: 10 },
      bakeSeconds: 60,
      evaluationIntervalSeconds: 120,
    });
    raw['records'] = [record, record];

    // Act
    const result = MigrationInputSchema.safeParse(raw);

    // Assess
    expect(result.success).toBe(false);
    const custom = result.error?.issues
      .filter((issue) => issue.code === 'custom')
      .map((issue) => issue.message);
    expect(custom?.sort()).toEqual(
      [
        'must be greater than the previous step (50)',
        'the last step must be 100',
        'exactly one of steps, canary, linear, exponential is required (got steps, canary)',
        'must be <= bakeSeconds (60)',
        'duplicates records[0] (same zone, name and type)',
      ].sort()
    );
  });

  it('strips only a leading /hostedzone/ and refuses anything after the ID', () => {
    // Act + Assess
    expect(
      parseMigrationInput(draftWith('records.0.hostedZoneId', '/hostedzone/Z0123')).records[0]
        ?.hostedZoneId
    ).toBe('Z0123');
    expect(issuesOf(draftWith('records.0.hostedZoneId', 'Z0123/hostedzone/'))).toContainEqual({
      path: 'records[0].hostedZoneId',
      rule: 'must be a Route 53 hosted zone ID such as Z0123456789ABC',
    });
  });

  it('bounds a plan at 30 days, what the state machine timeout is checked against', () => {
    // Assess
    expect(MAX_PLAN_SECONDS).toBe(30 * 86_400);
  });
});

describe('Scoped discovery targets: ECS cluster and service names', () => {
  const RULE = 'must be 1-255 characters of A-Z a-z 0-9 _ -';
  const refusalOf = (target: Loose): string => {
    try {
      parseMigrationInput({ ...draft(), metrics: { greenDiscoveryNames: [target] } });
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };

  it.each([
    { name: 'a bad character at the end', clusterName: 'prod!', serviceName: 'gateway' },
    { name: 'a bad character at the start', clusterName: '!prod', serviceName: 'gateway' },
    { name: 'an empty name', clusterName: '', serviceName: 'gateway' },
    {
      name: 'a bad service name',
      clusterName: 'prod',
      serviceName: 'gate way',
      field: 'serviceName',
    },
  ])(
    'refuses $name, naming the field and the rule of the object form',
    ({ clusterName, serviceName, field = 'clusterName' }) => {
      // Act + Assess: the object's own rule, not the union's "a discovery name or an object".
      expect(refusalOf({ discoveryName: 'orders', clusterName, serviceName })).toContain(
        `metrics.greenDiscoveryNames[0].${field}: ${RULE}`
      );
    }
  );

  it('accepts the whole character set', () => {
    expect(
      refusalOf({ discoveryName: 'orders', clusterName: 'Prod_cluster-1', serviceName: 'gw9' })
    ).toBe('accepted');
  });
});
