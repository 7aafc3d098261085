import { describe, expect, it } from 'vitest';
import {
  batchSizeProblems,
  changeBatchSizes,
  deployedPolicyProblems,
  groupProblems,
  healthCheckIdsOf,
  healthProblems,
  ttlProblems,
} from '../../../functions/core/record-checks.ts';
import { effectiveTtlSeconds } from '../../../functions/core/run.ts';
import type { RecordSet, WeightedPair } from '../../../functions/core/types.ts';
import { findDrift, percentOf } from '../../../functions/core/weights.ts';
import { inputWith, pairWith, record } from './fixtures.ts';

/** A weighted alias record as Route 53 lists it: no TTL, no values. */
function alias(side: 'blue' | 'green', weight: number, dnsName: string): RecordSet {
  const { TTL: _ttl, ResourceRecords: _values, ...rest } = record(side, weight);
  return {
    ...rest,
    AliasTarget: { HostedZoneId: 'Z1', DNSName: dnsName, EvaluateTargetHealth: false },
  };
}

/** `count` pairs in zone Z1, each side holding `values` values of `length` characters. */
function pairsWithValues(count: number, values: number, length = 11): WeightedPair[] {
  return Array.from({ length: count }, (_, i) => {
    const pair = pairWith({ blue: 100, green: 0 }, { name: `api${i}.example.com` });
    const many = Array.from({ length: values }, (_, v) => ({
      Value: `${v}`.padStart(length, '1'),
    }));
    return {
      ...pair,
      blue: { ...pair.blue, ResourceRecords: many },
      green: { ...pair.green, ResourceRecords: many },
    };
  });
}

describe('Function: ttlProblems (effective TTL, mixed alias pairs)', () => {
  const input = inputWith({ dns: { maxTtlSeconds: 300 } });

  it('refuses an alias whose same-zone target has TTL 3600 (not the 60 s an ELB alias has)', () => {
    // Prepare: item 2, the router resolved the chain to the target record's TTL
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      blue: alias('blue', 100, 'blue-target.example.com.'),
      green: alias('green', 0, 'green-target.example.com.'),
      effectiveTtlSeconds: { blue: 3600, green: 3600 },
    };

    // Act
    const problems = ttlProblems(input, [pair]);

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(
        /^api\.example\.com A in Z1 blue "blue": TTL 3600s \(alias to blue-target\.example\.com\) > dns\.maxTtlSeconds \(300s\)/
      ),
      expect.stringMatching(/green "green": TTL 3600s/),
    ]);
  });

  it.each([
    { name: 'an ELB alias next to a TTL 60 record', plainTtl: 60, aliasTtl: 60, refused: false },
    { name: 'an ELB alias next to a TTL 300 record', plainTtl: 300, aliasTtl: 60, refused: true },
    {
      name: 'a same-zone alias (TTL 120) next to TTL 120',
      plainTtl: 120,
      aliasTtl: 120,
      refused: false,
    },
  ])(
    'accepts a mixed alias/non-alias pair when the TTLs agree: $name -> refused $refused',
    ({ plainTtl, aliasTtl, refused }) => {
      // Prepare: item 6, Route 53 allows mixed groups and advises TTL 60 next to an ELB alias
      const plain = pairWith({ blue: 100, green: 0 });
      const pair: WeightedPair = {
        ...plain,
        blue: { ...plain.blue, TTL: plainTtl },
        green: alias('green', 0, 'green.elb.amazonaws.com.'),
        effectiveTtlSeconds: { blue: plainTtl, green: aliasTtl },
      };

      // Act
      const problems = ttlProblems(input, [pair]);

      // Assess
      expect(problems).toEqual(
        refused
          ? [expect.stringMatching(/blue TTL 300s != green TTL 60s \(alias to green\.elb/)]
          : []
      );
    }
  );

  it('refuses an ELB alias below dns.maxTtlSeconds 60 saying the 60 s cannot be lowered', () => {
    // Prepare: an alias to an AWS resource takes the resource's TTL, which nobody can set (DG "Choosing
    // between alias and non-alias records"), so "lower it first" would send the operator nowhere.
    const elb = (side: 'blue' | 'green', weight: number): RecordSet => ({
      ...alias(side, weight, `${side}-123.eu-west-1.elb.amazonaws.com.`),
      AliasTarget: {
        HostedZoneId: 'Z32O12XQLNTSW2',
        DNSName: `${side}-123.eu-west-1.elb.amazonaws.com.`,
        EvaluateTargetHealth: true,
      },
    });
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      blue: elb('blue', 100),
      green: elb('green', 0),
      effectiveTtlSeconds: { blue: 60, green: 60 },
    };

    // Act
    const problems = ttlProblems(inputWith({ dns: { maxTtlSeconds: 30 } }), [pair]);

    // Assess
    expect(problems).toHaveLength(2);
    for (const problem of problems) {
      expect(problem).toMatch(
        /TTL 60s \(alias to (blue|green)-123\.eu-west-1\.elb\.amazonaws\.com\) > dns\.maxTtlSeconds \(30s\); an alias to an AWS resource serves the resource's TTL, which cannot be lowered: raise dns\.maxTtlSeconds to at least 60/
      );
      expect(problem).not.toMatch(/lower it first/);
    }
  });

  it('refuses an alias whose TTL could not be resolved, with the reason the router gave', () => {
    // Prepare
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      ttlProblems: ['alias loop: api.example.com -> a.example.com -> api.example.com (A in Z1)'],
    };

    // Act + Assess
    expect(ttlProblems(input, [pair])).toEqual([
      'api.example.com A in Z1: alias loop: api.example.com -> a.example.com -> api.example.com (A in Z1)',
    ]);
  });

  it('feeds the resolved TTL into the wait after INSYNC (effectiveTtlSeconds)', () => {
    // Prepare
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      blue: alias('blue', 100, 'a.example.com.'),
      green: alias('green', 0, 'b.example.com.'),
      effectiveTtlSeconds: { blue: 3600, green: 120 },
    };

    // Act + Assess
    expect(effectiveTtlSeconds([pair])).toBe(3600);
  });
});

describe('Function: groupProblems (the whole weighted group)', () => {
  it('refuses other records with weight, naming them and the real share', () => {
    // Prepare: item 3, blue 100 / green 0 beside "legacy" 10
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      others: [
        { SetIdentifier: 'legacy', Weight: 10 },
        { SetIdentifier: 'spare', Weight: 0 },
      ],
    };

    // Act
    const problems = groupProblems([pair]);

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(
        /^api\.example\.com A in Z1: other records of the weighted group carry weight: "legacy" \(10\); Route 53 shares traffic over every record of the name and type, so green at 100% would get 90\.9%/
      ),
    ]);
  });

  it.each([
    { blue: 1, green: 0, share: '90.9' },
    { blue: 255, green: 0, share: '96.2' },
  ])(
    'names the share green would really get at 100 % (the weight the run writes): blue $blue / green $green beside 10 -> $share%',
    ({ blue, green, share }) => {
      // Prepare: at 100 % the run writes green = the weight scale (>= 100, weightsFor), not blue + green as read
      const pair: WeightedPair = {
        ...pairWith({ blue, green }),
        others: [{ SetIdentifier: 'legacy', Weight: 10 }],
      };

      // Act + Assess
      expect(groupProblems([pair])).toEqual([
        expect.stringContaining(`so green at 100% would get ${share}%`),
      ]);
    }
  );

  it('leaves zero-weight others alone', () => {
    // Prepare
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      others: [{ SetIdentifier: 'spare', Weight: 0 }],
    };

    // Act + Assess
    expect(groupProblems([pair])).toEqual([]);
  });

  it('refuses records a traffic policy created, naming them', () => {
    // Prepare: item 6
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      trafficPolicyInstanceIds: { green: 'tp-instance-1' },
    };

    // Act + Assess
    expect(groupProblems([pair])).toEqual([
      expect.stringMatching(/green "green": created by traffic policy instance tp-instance-1/),
    ]);
  });
});

describe('Function: percentOf (the real share of the group)', () => {
  it.each([
    { others: [], expected: 100 },
    { others: [{ SetIdentifier: 'legacy', Weight: 10 }], expected: (100 * 100) / 110 },
    { others: [{ SetIdentifier: 'spare', Weight: 0 }], expected: 100 },
    { others: [{ SetIdentifier: 'simple', Weight: null }], expected: 100 },
  ])('green 100 / blue 0 beside $others -> $expected %', ({ others, expected }) => {
    // Prepare
    const pair: WeightedPair = { ...pairWith({ blue: 0, green: 100 }), others };

    // Act + Assess
    expect(percentOf(pair)).toBeCloseTo(expected, 9);
  });
});

describe('Function: percentOf without group members', () => {
  it.each([
    { weights: { blueWeight: 90, greenWeight: 10 }, expected: 10 },
    // All weights 0: Route 53 answers with every record equally often.
    { weights: { blueWeight: 0, greenWeight: 0 }, expected: 50 },
  ])('$weights -> $expected %', ({ weights, expected }) => {
    expect(percentOf(weights)).toBe(expected);
  });

  it('counts every zero-weight record when all are 0, and a pair read before groups existed', () => {
    // Prepare
    const { others: _none, ...legacy } = pairWith({ blue: 0, green: 0 });
    const zeros: WeightedPair = { ...legacy, others: [{ SetIdentifier: 'spare', Weight: 0 }] };

    // Act + Assess
    expect(percentOf(zeros)).toBeCloseTo(100 / 3, 9);
    expect(percentOf(legacy as WeightedPair)).toBe(50);
  });
});

describe('Function: batchSizeProblems (1,000 elements, 32,000 characters, UPSERT twice)', () => {
  it('refuses 26 pairs of 10 values in one zone, naming the numbers', () => {
    // Prepare: item 5, 26 x 2 records x 10 values x 2 = 1,040 elements
    const pairs = pairsWithValues(26, 10);

    // Act
    const problems = batchSizeProblems(pairs);

    // Assess
    expect(changeBatchSizes(pairs)).toEqual([
      { hostedZoneId: 'Z1', pairs: 26, elements: 1040, characters: 1040 * 11 },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(
        /^hosted zone Z1: a shift or rollback batch of 26 pairs holds 1040 ResourceRecord elements \(limit 1000\) and 11440 characters of values \(limit 32000\)/
      ),
    ]);
  });

  it.each([
    {
      name: '25 pairs of 10 values (1,000 elements)',
      pairs: 25,
      values: 10,
      length: 11,
      refused: false,
    },
    {
      name: '4 pairs of 10 values of 200 characters (32,000)',
      pairs: 4,
      values: 10,
      length: 200,
      refused: false,
    },
    {
      name: '4 pairs of 10 values of 201 characters (32,160)',
      pairs: 4,
      values: 10,
      length: 201,
      refused: true,
    },
  ])('$name -> refused $refused', ({ pairs, values, length, refused }) => {
    // Act + Assess
    expect(batchSizeProblems(pairsWithValues(pairs, values, length))).toHaveLength(refused ? 1 : 0);
  });

  it('counts each zone on its own (one batch per zone)', () => {
    // Prepare
    const pairs = pairsWithValues(26, 10).map((pair, i) => ({
      ...pair,
      hostedZoneId: i % 2 === 0 ? 'Z1' : '/hostedzone/Z2',
    }));

    // Act + Assess
    expect(batchSizeProblems(pairs)).toEqual([]);
  });
});

describe('Function: healthProblems (a failing check can invert a rollback)', () => {
  const success = 'Success: HTTP Status Code 200, OK';
  const failure = 'Failure: Connection timed out.';
  it.each([
    { name: 'all checkers fail', statuses: [failure, failure, failure], failing: true },
    {
      name: '1 of 10 succeeds (10 % <= 18 %)',
      statuses: [success, ...Array(9).fill(failure)],
      failing: true,
    },
    {
      name: '2 of 10 succeed (20 % > 18 %)',
      statuses: [success, success, ...Array(8).fill(failure)],
      failing: false,
    },
    { name: 'all succeed', statuses: [success, success], failing: false },
    { name: 'no observation', statuses: [], failing: true },
  ])('$name -> failing $failing', ({ statuses, failing }) => {
    // Act
    const problems = healthProblems([{ healthCheckId: 'hc-blue', statuses }]);

    // Assess
    expect(problems).toEqual(
      failing ? [expect.stringMatching(/^health check hc-blue is failing/)] : []
    );
  });

  it('does not judge a calculated health check it cannot read', () => {
    // Act + Assess
    expect(
      healthProblems([{ healthCheckId: 'hc-calc', statuses: null, reason: 'calculated' }])
    ).toEqual([]);
  });

  it('collects every health check of blue and green once', () => {
    // Prepare
    const pair = pairWith({ blue: 100, green: 0 });
    const withChecks: WeightedPair = {
      ...pair,
      blue: { ...pair.blue, HealthCheckId: 'hc-1' },
      green: { ...pair.green, HealthCheckId: 'hc-2' },
    };

    // Act + Assess
    expect(healthCheckIdsOf([withChecks, withChecks, pair])).toEqual(['hc-1', 'hc-2']);
  });
});

describe('Function: deployedPolicyProblems (the stack parameters RecordTypes and RecordNames)', () => {
  /** An input migrating one pair per `name type` given, in zone Z1. */
  const inputFor = (...records: [name: string, type: 'A' | 'CNAME'][]) =>
    inputWith({
      records: records.map(([name, type]) => ({
        hostedZoneId: 'Z1',
        name,
        type,
        blueSetIdentifier: 'b',
        greenSetIdentifier: 'g',
      })),
    });

  it('refuses a type the deployed policy does not allow, naming the parameter', () => {
    // Prepare: item 7, the CNAME example against the old default A,AAAA
    const input = inputFor(['checkout.example.com', 'CNAME']);

    // Act + Assess
    expect(deployedPolicyProblems(input, { recordTypes: ['A', 'AAAA'] })).toEqual([
      'records[0].type CNAME is not in the stack parameter RecordTypes (A, AAAA); add it and redeploy, or the first write is denied',
    ]);
    expect(deployedPolicyProblems(input, { recordTypes: ['A', 'AAAA', 'CNAME'] })).toEqual([]);
    expect(deployedPolicyProblems(input, {})).toEqual([]);
  });

  it('refuses a RecordTypes entry IAM would not match: the condition compares it as written', () => {
    // Prepare: route53:ChangeResourceRecordSetsRecordTypes holds upper-case types (aws-facts 2.10) and
    // ForAllValues:StringEquals is case-sensitive, so a parameter "cname" denies the CNAME UPSERT.
    const input = inputFor(['checkout.example.com', 'CNAME']);

    // Act + Assess
    expect(deployedPolicyProblems(input, { recordTypes: ['A', 'cname'] })).toEqual([
      expect.stringMatching(
        /^records\[0\]\.type CNAME is not in the stack parameter RecordTypes \(A, cname\); "cname" is not in the upper case IAM compares \(write CNAME\)/
      ),
    ]);
  });

  it('compares names in the escaped form the IAM condition key uses', () => {
    // Prepare
    const input = inputFor(['*.example.com', 'A']);

    // Act + Assess
    expect(deployedPolicyProblems(input, { recordNames: ['\\052.example.com'] })).toEqual([]);
    expect(deployedPolicyProblems(input, { recordNames: ['api.example.com'] })).toEqual([
      expect.stringMatching(
        /^records\[0\]\.name \*\.example\.com \(\\052\.example\.com\) is not in the stack parameter RecordNames/
      ),
    ]);
  });

  it('refuses a RecordNames entry IAM would not match: the condition compares it as written', () => {
    // Prepare: ForAllValues:StringEquals is exact and case-sensitive, and Route 53 puts the normalised name
    // (\052.example.com, api.example.com) in route53:ChangeResourceRecordSetsNormalizedRecordNames; a
    // parameter written *.example.com, API.example.com or api.example.com. never matches it (aws-facts 2.10).
    const input = inputFor(['*.example.com', 'A'], ['api.example.com', 'A']);

    // Act
    const problems = deployedPolicyProblems(input, {
      recordNames: ['*.example.com', 'API.example.com.'],
    });

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(
        /^records\[0\]\.name \*\.example\.com \(\\052\.example\.com\) is not in the stack parameter RecordNames .*"\*\.example\.com" is not in the normalised form IAM compares \(write \\052\.example\.com\)/
      ),
      expect.stringMatching(
        /^records\[1\]\.name api\.example\.com \(api\.example\.com\) is not in the stack parameter RecordNames .*"API\.example\.com\." is not in the normalised form IAM compares \(write api\.example\.com\)/
      ),
    ]);
  });
});

describe('Function: findDrift (another record of the group gains weight mid-run)', () => {
  it('reports it, since it changes the real share', () => {
    // Prepare
    const pair: WeightedPair = {
      ...pairWith({ blue: 50, green: 50 }),
      others: [{ SetIdentifier: 'legacy', Weight: 10 }],
    };
    const expected = [
      { hostedZoneId: 'Z1', name: 'api.example.com', type: 'A', blueWeight: 50, greenWeight: 50 },
    ];

    // Act + Assess
    expect(findDrift([pair], expected)).toEqual([
      'api.example.com A in Z1: other record "legacy" weight 10 (expected 0)',
    ]);
    expect(findDrift([{ ...pair, others: [] }], expected)).toEqual([]);
    expect(
      findDrift([{ ...pair, others: [{ SetIdentifier: 'simple', Weight: null }] }], expected)
    ).toEqual([]);
    const { others: _none, ...legacy } = pair;
    expect(findDrift([legacy as WeightedPair], expected)).toEqual([]);
  });

  it('refuses a simple record sharing the name and type (Route 53 does not mix them)', () => {
    // Prepare
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      others: [{ SetIdentifier: 'simple', Weight: null }],
    };

    // Act + Assess
    expect(groupProblems([pair])).toEqual([
      expect.stringMatching(/1 non-weighted record\(s\) share the name and type/),
    ]);
  });
});

describe('Record checks on pairs read before effective TTLs and groups existed', () => {
  it('takes an alias side without a resolved TTL as 60 s and counts no values for it', () => {
    // Prepare: an alias pair from a state written before effectiveTtlSeconds existed
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      blue: alias('blue', 100, 'blue-lb.example.com.'),
      green: alias('green', 0, 'green-lb.example.com.'),
    };

    // Act + Assess
    expect(ttlProblems(inputWith({ dns: { maxTtlSeconds: 59 } }), [pair])).toEqual([
      expect.stringMatching(/blue "blue": TTL 60s/),
      expect.stringMatching(/green "green": TTL 60s/),
    ]);
    expect(changeBatchSizes([pair])).toEqual([
      { hostedZoneId: 'Z1', pairs: 1, elements: 0, characters: 0 },
    ]);
  });

  it('checks names when only RecordNames is deployed, and types when only RecordTypes is', () => {
    // Prepare
    const input = inputWith({});

    // Act + Assess
    expect(deployedPolicyProblems(input, { recordNames: ['api.example.com'] })).toEqual([]);
    expect(deployedPolicyProblems(input, { recordTypes: ['A'] })).toEqual([]);
    expect(deployedPolicyProblems(input, { recordNames: ['other.example.com'] })).toHaveLength(1);
    expect(deployedPolicyProblems(input, { recordTypes: ['AAAA'] })).toHaveLength(1);
  });
});
