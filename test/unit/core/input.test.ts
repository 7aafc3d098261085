import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import {
  type MigrationInputDraft,
  parseMigrationInput,
  RECORD_TYPES,
} from '../../../functions/core/input.ts';
import { dnsArb, limitsArb } from '../../support/input-arbitraries.ts';
import { DEFAULT_THRESHOLDS, draft } from './fixtures.ts';

/** Generated drafts are loose JSON on purpose: the mutations break them in ways no type allows. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Draft = Record<string, any>;

/** The error parseMigrationInput throws, or null when it accepts the input. */
function rejectionOf(raw: unknown): InvalidInputError | null {
  try {
    parseMigrationInput(raw);
    return null;
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
}

function names(error: InvalidInputError | null, path: string): boolean {
  if (error === null) return false;
  return error.issues.some((issue) => issue.path === path) && error.message.includes(`${path}: `);
}

describe('Function: parseMigrationInput', () => {
  it('fills every default and normalises names', () => {
    // Prepare
    const raw = {
      ...draft(),
      records: [
        {
          hostedZoneId: '/hostedzone/Z0123456789ABC',
          name: 'API.Example.com.',
          type: 'A',
          blueSetIdentifier: 'blue',
          greenSetIdentifier: 'green',
        },
      ],
    };

    // Act
    const input = parseMigrationInput(raw);

    // Assess
    expect(input).toEqual({
      migrationId: 'orders',
      records: [
        {
          hostedZoneId: 'Z0123456789ABC',
          name: 'api.example.com',
          type: 'A',
          blueSetIdentifier: 'blue',
          greenSetIdentifier: 'green',
        },
      ],
      plan: {
        steps: [10, 50, 100],
        bakeSeconds: 600,
        evaluationIntervalSeconds: 60,
        finalBakeSeconds: 600,
      },
      metrics: {
        namespace: 'AWS/ECS',
        greenDiscoveryNames: [{ discoveryName: 'orders' }],
        periodSeconds: 60,
        publicationDelaySeconds: 150,
        earliestPublicationSeconds: 90,
        publicationPollSeconds: 30,
        windowSeconds: 300,
        edge: 'auto',
        queries: [],
      },
      alarms: [],
      thresholds: DEFAULT_THRESHOLDS,
      limits: {
        maxFailures: 6,
        maxConsecutiveFailures: 2,
        maxInconclusive: 30,
        onInconclusiveLimit: 'rollback',
        maxConsecutiveErrors: 4,
      },
      dns: { maxTtlSeconds: 300, syncPollSeconds: 60, maxSyncWaitSeconds: 900 },
      mode: 'shift',
      onDrift: 'stop',
    });
  });

  const base = draft() as Draft;
  const record0 = base['records'][0];
  const planWith = (plan: object) => ({ ...base, plan });
  it.each([
    { name: 'a missing input', raw: undefined, message: '(root): is required' },
    { name: 'a non-object input', raw: 'orders', message: '(root): ' },
    {
      name: 'a missing migrationId',
      raw: { ...base, migrationId: undefined },
      message: 'migrationId: is required',
    },
    {
      name: 'a migrationId with spaces',
      raw: { ...base, migrationId: 'my run' },
      message: 'migrationId: must be 1-64 characters',
    },
    {
      name: 'no records',
      raw: { ...base, records: [] },
      message: 'records: must name at least one record',
    },
    {
      name: 'a malformed hosted zone ID',
      raw: { ...base, records: [{ ...record0, hostedZoneId: 'zone-1' }] },
      message: 'records[0].hostedZoneId: must be a Route 53 hosted zone ID',
    },
    {
      name: 'a bad DNS name',
      raw: { ...base, records: [{ ...record0, name: 'api..example.com' }] },
      message: 'records[0].name: must be a DNS name',
    },
    {
      name: 'an unsupported record type',
      raw: { ...base, records: [{ ...record0, type: 'ALIAS' }] },
      message: 'records[0].type: must be one of A, AAAA',
    },
    {
      name: 'the same set identifier on both sides',
      raw: { ...base, records: [{ ...record0, greenSetIdentifier: 'blue' }] },
      message:
        'records[0].greenSetIdentifier: blueSetIdentifier and greenSetIdentifier must differ',
    },
    {
      name: 'the same record twice',
      raw: { ...base, records: [record0, { ...record0, name: 'API.example.com.' }] },
      message: 'records[1]: duplicates records[0] (same zone, name and type)',
    },
    {
      name: 'a plan of no kind',
      raw: planWith({}),
      message: 'plan: exactly one of steps, canary, linear, exponential is required (got none)',
    },
    {
      name: 'a plan of two kinds',
      raw: planWith({ steps: [10, 100], canary: { percent: 5 } }),
      message:
        'plan: exactly one of steps, canary, linear, exponential is required (got steps, canary)',
    },
    {
      name: 'decreasing steps',
      raw: planWith({ steps: [50, 20, 100] }),
      message: 'plan.steps[1]: must be greater than the previous step (50)',
    },
    {
      name: 'steps not ending at 100',
      raw: planWith({ steps: [10, 50] }),
      message: 'plan.steps[1]: the last step must be 100',
    },
    {
      name: 'a step with two decimals',
      raw: planWith({ steps: [0.25, 100] }),
      message: 'plan.steps[0]: must have at most one decimal place',
    },
    {
      name: 'a canary at 100',
      raw: planWith({ canary: { percent: 100 } }),
      message: 'plan.canary.percent: must be < 100',
    },
    {
      name: 'a linear step below 1',
      raw: planWith({ linear: { stepPercent: 0.5 } }),
      message: 'plan.linear.stepPercent: must be >= 1',
    },
    {
      name: 'a slow exponential factor',
      raw: planWith({ exponential: { startPercent: 1, factor: 1.2 } }),
      message: 'plan.exponential.factor: must be >= 1.5',
    },
    {
      name: 'a short bake',
      raw: planWith({ steps: [100], bakeSeconds: 30 }),
      message: 'plan.bakeSeconds: must be >= 60',
    },
    {
      name: 'evaluations less often than the bake',
      raw: planWith({ steps: [100], bakeSeconds: 120, evaluationIntervalSeconds: 180 }),
      message: 'plan.evaluationIntervalSeconds: must be <= bakeSeconds (120)',
    },
    {
      name: 'a misspelt plan key',
      raw: planWith({ steps: [100], bakeSecond: 600 }),
      message: 'plan.bakeSecond: unknown key: did you mean bakeSeconds?',
    },
    {
      name: 'no green discovery name',
      raw: { ...base, metrics: { greenDiscoveryNames: [] } },
      message: 'metrics.greenDiscoveryNames: must name at least one',
    },
    {
      name: 'a period that is not whole minutes',
      raw: { ...base, metrics: { greenDiscoveryNames: ['o'], periodSeconds: 90 } },
      message: 'metrics.periodSeconds: must be a multiple of 60',
    },
    {
      name: 'a window that is not whole periods',
      raw: {
        ...base,
        metrics: { greenDiscoveryNames: ['o'], periodSeconds: 120, windowSeconds: 180 },
      },
      message: 'metrics.windowSeconds: must be a multiple of periodSeconds',
    },
    {
      name: 'polling slower than the period',
      raw: {
        ...base,
        metrics: { greenDiscoveryNames: ['o'], periodSeconds: 60, publicationPollSeconds: 90 },
      },
      message: 'metrics.publicationPollSeconds: must be <= periodSeconds (0: no polling)',
    },
    {
      name: 'a certain confidence',
      raw: { ...base, thresholds: { confidence: 1 } },
      message: 'thresholds.confidence: must be <= 0.9999',
    },
    {
      name: 'zero minRequests',
      raw: { ...base, thresholds: { minRequests: 0 } },
      message: 'thresholds.minRequests: must be >= 1',
    },
    {
      name: 'a baseline ratio below 1',
      raw: { ...base, thresholds: { baseline: { errorRateMaxRatio: 0.5 } } },
      message: 'thresholds.baseline.errorRateMaxRatio: must be >= 1',
    },
    {
      name: 'a fractional failure limit',
      raw: { ...base, limits: { maxFailures: 1.5 } },
      message: 'limits.maxFailures: must be an integer',
    },
    {
      name: 'an unknown inconclusive action',
      raw: { ...base, limits: { onInconclusiveLimit: 'pause' } },
      message: 'limits.onInconclusiveLimit: must be hold or rollback',
    },
    {
      name: 'a TTL limit above a day',
      raw: { ...base, dns: { maxTtlSeconds: 86_401 } },
      message: 'dns.maxTtlSeconds: must be <= 86400',
    },
    {
      name: 'an unknown mode',
      raw: { ...base, mode: 'dry-run' },
      message: 'mode: must be shift or observe',
    },
    {
      name: 'an unknown drift policy',
      raw: { ...base, onDrift: 'ignore' },
      message: 'onDrift: must be stop or rollback',
    },
    {
      name: 'a misspelt top-level key',
      raw: { ...base, mdoe: 'observe' },
      message: 'mdoe: unknown key: did you mean mode?',
    },
    {
      name: 'a key close to nothing known',
      raw: { ...base, colour: 'blue' },
      message: 'colour: unknown key (check the spelling against the input reference)',
    },
    {
      name: 'a misspelt key in a record',
      raw: { ...base, records: [{ ...record0, greenSetIdentifer: 'x' }] },
      message: 'records[0].greenSetIdentifer: unknown key: did you mean greenSetIdentifier?',
    },
    {
      // zod's own wording, for a rule without a message of ours (zod/mini loads it in input-zod.ts).
      name: 'a number where a name belongs',
      raw: { ...base, migrationId: 42 },
      message: 'migrationId: Invalid input: expected string, received number',
    },
    {
      name: 'a misspelt baseline key',
      raw: { ...base, thresholds: { baseline: { latencyAvgMaxRation: 2 } } },
      message:
        'thresholds.baseline.latencyAvgMaxRation: unknown key: did you mean latencyAvgMaxRatio?',
    },
  ])('rejects $name, naming the field and the rule', ({ raw, message }) => {
    // Act
    const error = rejectionOf(raw);

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error?.name).toBe('InvalidInputError');
    expect(error?.message).toContain(message);
  });

  // The plan's refinement expands the steps to check the gates even when a field rule already failed (zod runs
  // refinements after non-fatal issues): a factor refused as < 1.5 but a hair above 1 would loop for minutes,
  // and Preflight would time out instead of naming the field.
  it('refuses a gated exponential plan with a factor just above 1 at once, naming the factor', () => {
    // Prepare
    const raw = {
      ...base,
      plan: { exponential: { startPercent: 0.1, factor: 1.0000001 }, gates: { beforeSteps: [50] } },
    };
    const started = performance.now();

    // Act
    const error = rejectionOf(raw);

    // Assess
    expect(performance.now() - started).toBeLessThan(500);
    expect(error?.message).toBe('invalid input: plan.exponential.factor: must be >= 1.5');
  });

  it('accepts a $schema key (an editor pointer) and drops it from the parsed input', () => {
    // Act
    const parsed = parseMigrationInput({
      $schema: './schema/migration-input.schema.json',
      ...base,
    });

    // Assess
    expect(parsed).not.toHaveProperty('$schema');
    expect(parsed).toEqual(parseMigrationInput(base));
  });

  it.each([
    { periodSeconds: 60, publicationPollSeconds: 60, windowSeconds: 300 },
    { periodSeconds: 300, publicationPollSeconds: 300, windowSeconds: 300 },
    { periodSeconds: 3600, publicationPollSeconds: 0, windowSeconds: 3600 },
    { periodSeconds: 60, publicationPollSeconds: 0, windowSeconds: 60 },
  ])(
    'accepts polling at most the period, or none: $publicationPollSeconds s at a $periodSeconds s period',
    (metrics) => {
      // Act + Assess
      expect(
        rejectionOf({ ...base, metrics: { greenDiscoveryNames: ['o'], ...metrics } })
      ).toBeNull();
    }
  );

  it('accepts every record type Route 53 allows in a weighted set', () => {
    for (const type of RECORD_TYPES) {
      // Act + Assess
      expect(rejectionOf({ ...base, records: [{ ...record0, type }] })).toBeNull();
    }
  });
});

// ---------- Generated inputs ----------

const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,14}$/);
const dnsName = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean())
  .map(([labels, upper, dot]) => {
    const name = `${labels.join('.')}.example.com`;
    return `${upper ? name.toUpperCase() : name}${dot ? '.' : ''}`;
  });
const zoneId = fc
  .tuple(fc.stringMatching(/^Z[A-Z0-9]{5,20}$/), fc.boolean())
  .map(([id, prefixed]) => (prefixed ? `/hostedzone/${id}` : id));
const recordArb = fc.record({
  hostedZoneId: zoneId,
  name: dnsName,
  type: fc.constantFrom(...RECORD_TYPES),
  blueSetIdentifier: fc.stringMatching(/^blue-[a-z0-9]{1,10}$/),
  greenSetIdentifier: fc.stringMatching(/^green-[a-z0-9]{1,10}$/),
});
const normalisedKey = (r: { hostedZoneId: string; name: string; type: string }) =>
  `${r.hostedZoneId.replace(/^\/hostedzone\//, '')} ${r.name.toLowerCase().replace(/\.$/, '')} ${r.type}`;
const tenths = (min: number, max: number) => fc.integer({ min, max }).map((t) => t / 10);

const planKind = fc.oneof(
  fc.uniqueArray(fc.integer({ min: 1, max: 999 }), { minLength: 0, maxLength: 8 }).map((t) => ({
    steps: [...t.sort((a, b) => a - b).map((x) => x / 10), 100],
  })),
  tenths(1, 999).map((percent) => ({ canary: { percent } })),
  tenths(10, 500).map((stepPercent) => ({ linear: { stepPercent } })),
  fc
    .record({ startPercent: tenths(1, 999), factor: fc.double({ min: 1.5, max: 10, noNaN: true }) })
    .map((exponential) => ({ exponential }))
);
const planArb = fc
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
const discoveryName = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/);
const metricsArb = fc
  .record(
    {
      namespace: fc.constantFrom('AWS/ECS', 'Custom/ServiceConnect'),
      greenDiscoveryNames: fc.uniqueArray(discoveryName, { minLength: 1, maxLength: 3 }),
      blueDiscoveryNames: fc.uniqueArray(discoveryName, { maxLength: 3 }),
      periodMinutes: fc.integer({ min: 1, max: 10 }),
      publicationDelaySeconds: fc.integer({ min: 0, max: 900 }),
      windowPeriods: fc.integer({ min: 1, max: 6 }),
    },
    { requiredKeys: ['greenDiscoveryNames'] }
  )
  .map(({ periodMinutes, windowPeriods, blueDiscoveryNames, ...rest }) => {
    const period = (periodMinutes ?? 1) * 60;
    // The default window (300 s) must stay a whole number of periods; otherwise set one.
    const needsWindow = windowPeriods !== undefined || 300 % period !== 0;
    return {
      ...rest,
      // A name may appear once across green and blue.
      ...(blueDiscoveryNames === undefined
        ? {}
        : {
            blueDiscoveryNames: blueDiscoveryNames.filter(
              (name) => !rest.greenDiscoveryNames.includes(name)
            ),
          }),
      ...(periodMinutes === undefined ? {} : { periodSeconds: period }),
      ...(needsWindow
        ? { windowSeconds: period * Math.min(windowPeriods ?? 1, Math.floor(3_600 / period)) }
        : {}),
    };
  });
const thresholdsArb = fc.record(
  {
    minRequests: fc.integer({ min: 1, max: 1_000_000 }),
    errorRateMaxPercent: fc.double({ min: 0, max: 100, noNaN: true }),
    confidence: fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
    latencyAvgMaxMs: fc.integer({ min: 1, max: 60_000 }),
    latencyMaxMs: fc.integer({ min: 1, max: 60_000 }),
    latencyP99MaxMs: fc.integer({ min: 1, max: 60_000 }),
    baseline: fc.record(
      {
        errorRateMaxRatio: fc.double({ min: 1, max: 100, noNaN: true }),
        errorRateMinDeltaPercent: fc.double({ min: 0, max: 100, noNaN: true }),
        latencyAvgMaxRatio: fc.double({ min: 1, max: 100, noNaN: true }),
        latencyAvgMinDeltaMs: fc.integer({ min: 0, max: 10_000 }),
      },
      { requiredKeys: [] }
    ),
  },
  { requiredKeys: [] }
);
const validDraft: fc.Arbitrary<Draft> = fc
  .record(
    {
      migrationId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
      records: fc.uniqueArray(recordArb, { minLength: 1, maxLength: 4, selector: normalisedKey }),
      plan: planArb,
      metrics: metricsArb,
      thresholds: thresholdsArb,
      limits: limitsArb,
      dns: dnsArb,
      mode: fc.constantFrom('shift', 'observe'),
      onDrift: fc.constantFrom('stop', 'rollback'),
    },
    { requiredKeys: ['migrationId', 'records', 'plan', 'metrics'] }
  )
  .map((d) =>
    // p99 is refused on AWS/ECS (the default namespace): keep it only with a namespace that has percentiles.
    (d['metrics']['namespace'] ?? 'AWS/ECS') === 'AWS/ECS' && d['thresholds']?.['latencyP99MaxMs']
      ? { ...d, metrics: { ...d['metrics'], namespace: 'Custom/ServiceConnect' } }
      : d
  );

const PLAN_KINDS = ['steps', 'canary', 'linear', 'exponential'];
const withoutKind = (plan: Draft) =>
  Object.fromEntries(Object.entries(plan).filter(([key]) => !PLAN_KINDS.includes(key)));

/** One deliberate break: the new draft and the field path the error must name. */
type Mutation = { what: string; apply: (d: Draft) => { draft: Draft; path: string } };
const set =
  (section: string, key: string, value: unknown): Mutation['apply'] =>
  (d) => ({
    draft: { ...d, [section]: { ...(d[section] ?? {}), [key]: value } },
    path: `${section}.${key}`,
  });
const setRecord0 =
  (key: string, value: (r: Draft) => unknown): Mutation['apply'] =>
  (d) => ({
    draft: {
      ...d,
      records: [{ ...d['records'][0], [key]: value(d['records'][0]) }, ...d['records'].slice(1)],
    },
    path: `records[0].${key}`,
  });
const setPlanKind =
  (kind: Draft, path: string): Mutation['apply'] =>
  (d) => ({
    draft: { ...d, plan: { ...withoutKind(d['plan']), ...kind } },
    path,
  });
const MUTATIONS: Mutation[] = [
  {
    what: 'migrationId with a leading dash',
    apply: (d) => ({ draft: { ...d, migrationId: '-x' }, path: 'migrationId' }),
  },
  {
    what: 'migrationId missing',
    apply: ({ migrationId: _, ...d }) => ({ draft: d, path: 'migrationId' }),
  },
  {
    what: 'migrationId too long',
    apply: (d) => ({ draft: { ...d, migrationId: 'a'.repeat(65) }, path: 'migrationId' }),
  },
  { what: 'no records', apply: (d) => ({ draft: { ...d, records: [] }, path: 'records' }) },
  { what: 'records missing', apply: ({ records: _, ...d }) => ({ draft: d, path: 'records' }) },
  { what: 'bad hosted zone', apply: setRecord0('hostedZoneId', () => 'zone 1') },
  { what: 'bad name', apply: setRecord0('name', () => 'bad name!') },
  { what: 'bad type', apply: setRecord0('type', () => 'ALIAS') },
  {
    what: 'same set identifiers',
    apply: setRecord0('greenSetIdentifier', (r) => r['blueSetIdentifier']),
  },
  { what: 'empty set identifier', apply: setRecord0('blueSetIdentifier', () => '') },
  { what: 'unknown record key', apply: setRecord0('weight', () => 10) },
  {
    what: 'duplicate record',
    apply: (d) => ({
      draft: { ...d, records: [...d['records'], { ...d['records'][0] }] },
      path: `records[${d['records'].length}]`,
    }),
  },
  {
    what: 'two plan kinds',
    apply: (d) => ({
      draft: {
        ...d,
        plan: {
          ...d['plan'],
          ...('canary' in d['plan'] ? { steps: [100] } : { canary: { percent: 5 } }),
        },
      },
      path: 'plan',
    }),
  },
  {
    what: 'no plan kind',
    apply: (d) => ({ draft: { ...d, plan: withoutKind(d['plan']) }, path: 'plan' }),
  },
  { what: 'plan missing', apply: ({ plan: _, ...d }) => ({ draft: d, path: 'plan' }) },
  { what: 'decreasing steps', apply: setPlanKind({ steps: [50, 20, 100] }, 'plan.steps[1]') },
  { what: 'steps not ending at 100', apply: setPlanKind({ steps: [10, 50] }, 'plan.steps[1]') },
  { what: 'step above 100', apply: setPlanKind({ steps: [10, 100.5] }, 'plan.steps[1]') },
  {
    what: 'canary at 100',
    apply: setPlanKind({ canary: { percent: 100 } }, 'plan.canary.percent'),
  },
  {
    what: 'canary with two decimals',
    apply: setPlanKind({ canary: { percent: 1.25 } }, 'plan.canary.percent'),
  },
  {
    what: 'linear too big',
    apply: setPlanKind({ linear: { stepPercent: 60 } }, 'plan.linear.stepPercent'),
  },
  {
    what: 'exponential factor too small',
    apply: setPlanKind(
      { exponential: { startPercent: 1, factor: 1.1 } },
      'plan.exponential.factor'
    ),
  },
  {
    what: 'exponential without start',
    apply: setPlanKind({ exponential: { factor: 2 } }, 'plan.exponential.startPercent'),
  },
  { what: 'bake too short', apply: set('plan', 'bakeSeconds', 59) },
  { what: 'bake not an integer', apply: set('plan', 'bakeSeconds', 600.5) },
  {
    what: 'evaluation interval above the bake',
    // Above the bake; past 3,600 s the range rule names the same field.
    apply: (d) =>
      set('plan', 'evaluationIntervalSeconds', (d['plan']['bakeSeconds'] ?? 600) + 60)(d),
  },
  { what: 'negative final bake', apply: set('plan', 'finalBakeSeconds', -1) },
  { what: 'unknown plan key', apply: set('plan', 'bake', 600) },
  { what: 'no green names', apply: set('metrics', 'greenDiscoveryNames', []) },
  {
    what: 'green name too long',
    apply: (d) => ({
      draft: { ...d, metrics: { ...d['metrics'], greenDiscoveryNames: ['x'.repeat(65)] } },
      path: 'metrics.greenDiscoveryNames[0]',
    }),
  },
  { what: 'period not whole minutes', apply: set('metrics', 'periodSeconds', 90) },
  {
    what: 'window not whole periods',
    apply: (d) => ({
      draft: { ...d, metrics: { ...d['metrics'], periodSeconds: 120, windowSeconds: 180 } },
      path: 'metrics.windowSeconds',
    }),
  },
  { what: 'publication delay too long', apply: set('metrics', 'publicationDelaySeconds', 901) },
  { what: 'empty namespace', apply: set('metrics', 'namespace', '') },
  { what: 'metrics missing', apply: ({ metrics: _, ...d }) => ({ draft: d, path: 'metrics' }) },
  { what: 'confidence 1', apply: set('thresholds', 'confidence', 1) },
  { what: 'confidence as a percent', apply: set('thresholds', 'confidence', 95) },
  { what: 'minRequests 0', apply: set('thresholds', 'minRequests', 0) },
  { what: 'error rate above 100', apply: set('thresholds', 'errorRateMaxPercent', 101) },
  { what: 'latency limit 0', apply: set('thresholds', 'latencyAvgMaxMs', 0) },
  { what: 'latency limit as text', apply: set('thresholds', 'latencyMaxMs', '250ms') },
  { what: 'misspelt threshold', apply: set('thresholds', 'minRequest', 5) },
  {
    what: 'baseline ratio below 1',
    apply: (d) => ({
      draft: {
        ...d,
        thresholds: {
          ...(d['thresholds'] ?? {}),
          baseline: { ...(d['thresholds']?.['baseline'] ?? {}), errorRateMaxRatio: 0.5 },
        },
      },
      path: 'thresholds.baseline.errorRateMaxRatio',
    }),
  },
  { what: 'negative maxFailures', apply: set('limits', 'maxFailures', -1) },
  { what: 'fractional maxConsecutiveErrors', apply: set('limits', 'maxConsecutiveErrors', 2.5) },
  { what: 'unknown inconclusive action', apply: set('limits', 'onInconclusiveLimit', 'pause') },
  { what: 'poll interval 0', apply: set('dns', 'syncPollSeconds', 0) },
  { what: 'sync wait too short', apply: set('dns', 'maxSyncWaitSeconds', 30) },
  { what: 'TTL limit above a day', apply: set('dns', 'maxTtlSeconds', 86_401) },
  { what: 'unknown mode', apply: (d) => ({ draft: { ...d, mode: 'dry-run' }, path: 'mode' }) },
  {
    what: 'unknown drift policy',
    apply: (d) => ({ draft: { ...d, onDrift: 'ignore' }, path: 'onDrift' }),
  },
  {
    what: 'misspelt top-level key',
    apply: (d) => ({ draft: { ...d, mdoe: 'observe' }, path: 'mdoe' }),
  },
];

describe('Generated inputs', () => {
  it('rejects every broken input naming the broken field, and accepts every valid one', () => {
    // Prepare
    const counts = { tried: 0, valid: 0, invalid: 0, rejectedWithFieldNamed: 0 };
    const broken = new Set<string>();

    // Act + Assess
    fc.assert(
      fc.property(
        validDraft,
        fc.option(fc.constantFrom(...MUTATIONS), { freq: 3 }),
        (valid, mutation) => {
          counts.tried += 1;
          if (mutation === null) {
            counts.valid += 1;
            const error = rejectionOf(valid);
            expect(error?.message ?? null).toBeNull();
            return;
          }
          counts.invalid += 1;
          broken.add(mutation.what);
          const { draft: invalid, path } = mutation.apply(valid);
          const error = rejectionOf(invalid);
          expect(error, `${mutation.what} was accepted`).toBeInstanceOf(InvalidInputError);
          expect(
            names(error, path),
            `${mutation.what}: "${error?.message}" does not name ${path}`
          ).toBe(true);
          counts.rejectedWithFieldNamed += 1;
        }
      ),
      { numRuns: 1_500 }
    );

    console.log(
      `inputs tried: ${counts.tried} valid: ${counts.valid} invalid: ${counts.invalid} rejected-with-field-named: ${counts.rejectedWithFieldNamed}`
    );
    expect(counts.tried).toBeGreaterThanOrEqual(1_000);
    expect(counts.valid).toBeGreaterThan(200);
    expect(counts.rejectedWithFieldNamed).toBe(counts.invalid);
    expect(broken.size).toBe(MUTATIONS.length);
  });

  it('generates drafts of the documented shape', () => {
    // Assess: the generator type-checks against what users write
    const sample: MigrationInputDraft[] = fc.sample(validDraft, 5) as MigrationInputDraft[];
    expect(sample).toHaveLength(5);
  });
});

describe('Record names: wildcards in the form Route 53 lists them (DomainNameFormat)', () => {
  it.each([
    { name: '*.Example.com.', canonical: '\\052.example.com' },
    { name: '\\052.example.com', canonical: '\\052.example.com' },
    { name: '\\052.EXAMPLE.com.', canonical: '\\052.example.com' },
    { name: 'API.example.com.', canonical: 'api.example.com' },
  ])('accepts $name as $canonical', ({ name, canonical }) => {
    // Prepare
    const raw = draft();
    raw.records = [{ ...raw.records[0]!, name }];

    // Act
    const input = parseMigrationInput(raw);

    // Assess
    expect(input.records[0]?.name).toBe(canonical);
  });

  it.each(['a.*.example.com', '\\053.example.com', '**.example.com'])('refuses %s', (name) => {
    // Prepare
    const raw = draft();
    raw.records = [{ ...raw.records[0]!, name }];

    // Act + Assess
    expect(rejectionOf(raw)?.message).toMatch(/records\.0\.name|records\[0\]\.name/);
  });
});
