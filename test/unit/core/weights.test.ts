import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PairWeights, WeightedPair } from '../../../functions/core/types.ts';
import {
  findDrift,
  isAtSnapshot,
  percentOf,
  snapshotDifferences,
  snapshotWeights,
  startGreenPercent,
  weightScale,
  weightsFor,
} from '../../../functions/core/weights.ts';
import { pairWith, record } from './fixtures.ts';

/** What the Route 53 adapter does: re-send each record whole with only its Weight changed. */
function applyWeights(
  pairs: readonly WeightedPair[],
  weights: readonly PairWeights[]
): WeightedPair[] {
  return pairs.map((pair) => {
    const w = weights.find(
      (x) => x.hostedZoneId === pair.hostedZoneId && x.name === pair.name && x.type === pair.type
    );
    return w === undefined
      ? pair
      : {
          ...pair,
          blue: { ...pair.blue, Weight: w.blueWeight },
          green: { ...pair.green, Weight: w.greenWeight },
        };
  });
}

const weightArb = fc.integer({ min: 0, max: 255 });
const percentArb = fc.integer({ min: 0, max: 1000 }).map((tenths) => tenths / 10);
const pairArb = fc.record({ blue: weightArb, green: weightArb }).map((w) => pairWith(w));

describe('Function: weightScale', () => {
  it.each([
    { blue: 100, green: 0, expected: 100 },
    { blue: 1, green: 0, expected: 100 },
    { blue: 0, green: 0, expected: 100 },
    { blue: 200, green: 55, expected: 255 },
    { blue: 150, green: 0, expected: 150 },
    { blue: 255, green: 255, expected: 255 },
  ])('keeps $blue/$green at scale $expected', ({ blue, green, expected }) => {
    // Act + Assess
    expect(weightScale(pairWith({ blue, green }))).toBe(expected);
  });
});

describe('Function: weightsFor', () => {
  it.each([
    { blue: 100, green: 0, percent: 0, expected: { blueWeight: 100, greenWeight: 0 } },
    { blue: 100, green: 0, percent: 100, expected: { blueWeight: 0, greenWeight: 100 } },
    { blue: 100, green: 0, percent: 12.5, expected: { blueWeight: 87, greenWeight: 13 } },
    { blue: 100, green: 0, percent: 10, expected: { blueWeight: 90, greenWeight: 10 } },
    { blue: 255, green: 0, percent: 10, expected: { blueWeight: 229, greenWeight: 26 } },
    { blue: 255, green: 0, percent: 0.1, expected: { blueWeight: 254, greenWeight: 1 } },
    { blue: 100, green: 0, percent: 0.1, expected: { blueWeight: 99, greenWeight: 1 } },
    { blue: 100, green: 0, percent: 99.9, expected: { blueWeight: 1, greenWeight: 99 } },
    { blue: 100, green: 0, percent: 0.04, expected: { blueWeight: 99, greenWeight: 1 } },
    { blue: 100, green: 0, percent: 99.96, expected: { blueWeight: 1, greenWeight: 99 } },
    { blue: 125, green: 0, percent: 0.4, expected: { blueWeight: 124, greenWeight: 1 } },
    { blue: 125, green: 0, percent: 1.2, expected: { blueWeight: 123, greenWeight: 2 } },
    { blue: 0, green: 0, percent: 50, expected: { blueWeight: 50, greenWeight: 50 } },
  ])(
    'writes $expected.greenWeight/$expected.blueWeight for $percent% on a $blue/$green pair',
    ({ blue, green, percent, expected }) => {
      // Act
      const weights = weightsFor(pairWith({ blue, green }), percent);

      // Assess
      expect(weights).toEqual({
        hostedZoneId: 'Z1',
        name: 'api.example.com',
        type: 'A',
        ...expected,
      });
    }
  );

  it.each([-1, 100.1, Number.NaN])('refuses greenPercent %s', (percent) => {
    // Act + Assess
    expect(() => weightsFor(pairWith({ blue: 100, green: 0 }), percent)).toThrow(RangeError);
  });

  it('never writes 0/0, stays within 0..255, and is exact at 0 and 100', () => {
    fc.assert(
      fc.property(pairArb, percentArb, (pair, percent) => {
        // Act
        const { blueWeight, greenWeight } = weightsFor(pair, percent);

        // Assess
        expect(blueWeight + greenWeight).toBe(weightScale(pair));
        expect(blueWeight + greenWeight).toBeGreaterThan(0);
        for (const weight of [blueWeight, greenWeight]) {
          expect(Number.isInteger(weight)).toBe(true);
          expect(weight).toBeGreaterThanOrEqual(0);
          expect(weight).toBeLessThanOrEqual(255);
        }
        if (percent === 0) expect(greenWeight).toBe(0);
        if (percent === 100) expect(blueWeight).toBe(0);
        if (percent > 0 && percent < 100) {
          expect(greenWeight).toBeGreaterThanOrEqual(1);
          expect(blueWeight).toBeGreaterThanOrEqual(1);
        }
        // Within half a weight unit of the target share (or the 1-weight floor).
        expect(Math.abs(greenWeight - (percent / 100) * weightScale(pair))).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2_000 }
    );
  });

  it('never lowers green while advancing', () => {
    fc.assert(
      fc.property(
        pairArb,
        fc.array(percentArb, { minLength: 2, maxLength: 20 }),
        (pair, percents) => {
          // Prepare
          const ascending = [...new Set(percents)].sort((a, b) => a - b);

          // Act
          const greens = ascending.map((percent) => weightsFor(pair, percent).greenWeight);

          // Assess
          greens.forEach((green, index) => {
            expect(green).toBeGreaterThanOrEqual(greens[index - 1] ?? 0);
          });
        }
      )
    );
  });
});

describe('Function: percentOf', () => {
  it.each([
    { blueWeight: 90, greenWeight: 10, expected: 10 },
    { blueWeight: 0, greenWeight: 255, expected: 100 },
    { blueWeight: 255, greenWeight: 0, expected: 0 },
    { blueWeight: 0, greenWeight: 0, expected: 50 },
  ])(
    'reads $blueWeight/$greenWeight as $expected% green',
    ({ blueWeight, greenWeight, expected }) => {
      // Act + Assess
      expect(percentOf({ blueWeight, greenWeight })).toBe(expected);
      expect(percentOf(pairWith({ blue: blueWeight, green: greenWeight }))).toBe(expected);
    }
  );

  it('does not round: 26/229 is 10.196%', () => {
    // Act + Assess
    expect(percentOf(pairWith({ blue: 229, green: 26 }))).toBeCloseTo(10.196, 3);
  });
});

describe('Function: startGreenPercent', () => {
  it.each([
    { name: 'no pairs', pairs: [], expected: 0 },
    { name: 'one pair', pairs: [pairWith({ blue: 70, green: 30 })], expected: 30 },
    {
      name: 'the least advanced pair',
      pairs: [
        pairWith({ blue: 70, green: 30 }),
        pairWith({ blue: 90, green: 10 }, { name: 'b.example.com' }),
      ],
      expected: 10,
    },
  ])('starts at $expected% with $name', ({ pairs, expected }) => {
    // Act + Assess
    expect(startGreenPercent(pairs)).toBe(expected);
  });
});

describe('Function: findDrift', () => {
  const expected = snapshotWeights([pairWith({ blue: 90, green: 10 })]);

  it.each([
    {
      name: 'nothing when the weights match',
      actual: [pairWith({ blue: 90, green: 10 })],
      lines: [],
    },
    {
      name: 'both weights when both moved',
      actual: [pairWith({ blue: 70, green: 30 })],
      lines: [
        'api.example.com A in Z1: blue weight 70 (expected 90), green weight 30 (expected 10)',
      ],
    },
    {
      name: 'only the blue weight when only blue moved',
      actual: [pairWith({ blue: 80, green: 10 })],
      lines: ['api.example.com A in Z1: blue weight 80 (expected 90)'],
    },
    {
      name: 'only the green weight when only green moved',
      actual: [pairWith({ blue: 90, green: 20 })],
      lines: ['api.example.com A in Z1: green weight 20 (expected 10)'],
    },
    { name: 'a missing pair', actual: [], lines: ['api.example.com A in Z1: record pair missing'] },
    {
      name: 'a pair nobody expected',
      actual: [
        pairWith({ blue: 90, green: 10 }),
        pairWith({ blue: 1, green: 1 }, { type: 'AAAA' }),
      ],
      lines: ['api.example.com AAAA in Z1: not expected'],
    },
  ])('reports $name', ({ actual, lines }) => {
    // Act + Assess
    expect(findDrift(actual, expected)).toEqual(lines);
  });
});

describe('Function: isAtSnapshot', () => {
  const alias = (dnsName: string): WeightedPair => {
    // Alias records carry no TTL and no values.
    const { TTL: _ttl, ResourceRecords: _values, ...blue } = record('blue', 100);
    return {
      ...pairWith({ blue: 100, green: 0 }),
      blue: {
        ...blue,
        AliasTarget: {
          HostedZoneId: 'Z35SXDOTRQ7X7K',
          DNSName: dnsName,
          EvaluateTargetHealth: true,
        },
      },
    };
  };
  const snapshot = [pairWith({ blue: 100, green: 0 })];
  const withBlue = (extra: Parameters<typeof record>[2]) => [
    { ...snapshot[0]!, blue: record('blue', 100, extra) },
  ];

  it.each([
    { name: 'the same records', actual: snapshot, at: true },
    { name: 'another weight', actual: [pairWith({ blue: 90, green: 10 })], at: false },
    { name: 'another TTL', actual: withBlue({ TTL: 300 }), at: false },
    {
      name: 'another value',
      actual: withBlue({ ResourceRecords: [{ Value: '198.51.100.1' }] }),
      at: false,
    },
    { name: 'a health check added', actual: withBlue({ HealthCheckId: 'hc-1' }), at: false },
    { name: 'another set identifier', actual: withBlue({ SetIdentifier: 'old-blue' }), at: false },
    { name: 'no pair at all', actual: [], at: false },
  ])('is $at with $name', ({ actual, at }) => {
    // Act + Assess
    expect(isAtSnapshot(actual, snapshot)).toBe(at);
  });

  it.each([
    {
      name: 'the same alias with another case and a root dot',
      actual: 'My-ALB-1.us-east-1.elb.amazonaws.com.',
      at: true,
    },
    { name: 'another alias target', actual: 'other-alb.us-east-1.elb.amazonaws.com', at: false },
  ])('is $at for $name', ({ actual, at }) => {
    // Act + Assess
    expect(isAtSnapshot([alias(actual)], [alias('my-alb-1.us-east-1.elb.amazonaws.com')])).toBe(at);
  });

  it('compares record values as a set', () => {
    // Prepare
    const values = (list: string[]) => [
      {
        ...snapshot[0]!,
        blue: record('blue', 100, { ResourceRecords: list.map((Value) => ({ Value })) }),
      },
    ];

    // Act + Assess
    expect(
      isAtSnapshot(values(['192.0.2.1', '192.0.2.9']), values(['192.0.2.9', '192.0.2.1']))
    ).toBe(true);
  });

  it('names every difference', () => {
    // Act
    const lines = snapshotDifferences([pairWith({ blue: 90, green: 10 })], snapshot);

    // Assess
    expect(lines).toEqual([
      'api.example.com A in Z1: blue Weight 90 (snapshot 100), green Weight 10 (snapshot 0)',
    ]);
  });

  it('gives back the snapshot exactly after restoring its weights, whatever was written before', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ blue: weightArb, green: weightArb, ttl: fc.integer({ min: 0, max: 300 }) }),
          { minLength: 1, maxLength: 5 }
        ),
        fc.array(percentArb, { maxLength: 10 }),
        (owners, percents) => {
          // Prepare
          const original = owners.map((o, index) => {
            const pair = pairWith(
              { blue: o.blue, green: o.green },
              { name: `r${index}.example.com` }
            );
            return {
              ...pair,
              blue: { ...pair.blue, TTL: o.ttl },
              green: { ...pair.green, TTL: o.ttl },
            };
          });
          let current: WeightedPair[] = original;
          for (const percent of percents) {
            current = applyWeights(
              current,
              original.map((pair) => weightsFor(pair, percent))
            );
          }

          // Act
          const restored = applyWeights(current, snapshotWeights(original));

          // Assess
          expect(restored).toEqual(original);
          expect(isAtSnapshot(restored, original)).toBe(true);
          expect(findDrift(restored, snapshotWeights(original))).toEqual([]);
        }
      )
    );
  });
});
