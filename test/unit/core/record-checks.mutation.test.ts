/**
 * The Preflight refusals of record-checks.ts at their edges (found by `npm run mutation`): which TTL advice an
 * over-long TTL gets, the 18 % health-checker share exactly at its value, which group members count as weighted,
 * and how the stack-parameter checks read entries as written (blank entries, several suggestions). Each message is
 * pinned whole: the operator acts on it before anything is written.
 */
import { describe, expect, it } from 'vitest';
import {
  deployedPolicyProblems,
  groupProblems,
  healthProblems,
  ttlProblems,
} from '../../../functions/core/record-checks.ts';
import type { RecordSet, WeightedPair } from '../../../functions/core/types.ts';
import { inputWith, pairWith, record } from './fixtures.ts';

const LAG = ', resolvers keep the old weights that long after each shift and rollback';

describe('Function: ttlProblems, the advice for an over-long TTL', () => {
  const input = inputWith({ dns: { maxTtlSeconds: 300 } });

  it('a plain record over the limit: lower it first', () => {
    // Prepare
    const pair = pairWith({ blue: 100, green: 0 });
    const long: WeightedPair = {
      ...pair,
      blue: { ...pair.blue, TTL: 600 },
      green: { ...pair.green, TTL: 600 },
    };

    // Act + Assess
    expect(ttlProblems(input, [long])).toEqual([
      `api.example.com A in Z1 blue "blue": TTL 600s > dns.maxTtlSeconds (300s); lower it first${LAG}`,
      `api.example.com A in Z1 green "green": TTL 600s > dns.maxTtlSeconds (300s); lower it first${LAG}`,
    ]);
  });

  it('an alias into the same zone (written with the /hostedzone/ prefix) over the limit: lower its target first', () => {
    // Prepare: the alias serves its same-zone target's TTL, which the operator can lower.
    const sameZone = (side: 'blue' | 'green'): RecordSet => {
      const {
        TTL: _ttl,
        ResourceRecords: _values,
        ...rest
      } = record(side, side === 'blue' ? 100 : 0);
      return {
        ...rest,
        AliasTarget: {
          HostedZoneId: '/hostedzone/Z1',
          DNSName: `${side}-target.example.com.`,
          EvaluateTargetHealth: false,
        },
      };
    };
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      blue: sameZone('blue'),
      green: sameZone('green'),
      effectiveTtlSeconds: { blue: 3600, green: 3600 },
    };

    // Act + Assess
    expect(ttlProblems(input, [pair])).toEqual([
      `api.example.com A in Z1 blue "blue": TTL 3600s (alias to blue-target.example.com) > dns.maxTtlSeconds (300s); lower it first${LAG}`,
      `api.example.com A in Z1 green "green": TTL 3600s (alias to green-target.example.com) > dns.maxTtlSeconds (300s); lower it first${LAG}`,
    ]);
  });

  it('an empty list of resolution problems still checks the TTLs', () => {
    // Prepare
    const pair = pairWith({ blue: 100, green: 0 });
    const long: WeightedPair = { ...pair, blue: { ...pair.blue, TTL: 600 }, ttlProblems: [] };

    // Act + Assess
    expect(ttlProblems(input, [long])).toHaveLength(2);
  });
});

describe('Function: groupProblems, which other records count', () => {
  it('a non-weighted member is refused as such, not as a weighted one', () => {
    // Prepare
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      others: [{ SetIdentifier: 'simple', Weight: null }],
    };

    // Act + Assess
    expect(groupProblems([pair])).toEqual([
      'api.example.com A in Z1: 1 non-weighted record(s) share the name and type; Route 53 does not allow mixing them with weighted records',
    ]);
  });

  it('several weighted members are listed, comma separated, with the share green would really get', () => {
    // Prepare: green at 100 % is weight 100 against 100 + 50 of the others: 40 %.
    const pair: WeightedPair = {
      ...pairWith({ blue: 100, green: 0 }),
      others: [
        { SetIdentifier: 'legacy', Weight: 100 },
        { SetIdentifier: 'canary', Weight: 50 },
        { SetIdentifier: 'parked', Weight: 0 },
      ],
    };

    // Act + Assess
    expect(groupProblems([pair])).toEqual([
      'api.example.com A in Z1: other records of the weighted group carry weight: "legacy" (100), "canary" (50); Route 53 shares traffic over every record of the name and type, so green at 100% would get 40.0%; set them to 0 or remove them first',
    ]);
  });
});

describe('Function: healthProblems, the 18 % share', () => {
  const success = 'Success: HTTP Status Code 200, OK';
  const failure = 'Failure: Connection timed out.';

  it.each([
    { name: 'exactly 18 % (9 of 50) is failing: Route 53 needs more', healthy: 9, failing: true },
    { name: '20 % (10 of 50) is healthy', healthy: 10, failing: false },
  ])('$name', ({ healthy, failing }) => {
    // Prepare
    const statuses = [...Array(healthy).fill(success), ...Array(50 - healthy).fill(failure)];

    // Act + Assess
    expect(healthProblems([{ healthCheckId: 'hc-1', statuses }])).toEqual(
      failing
        ? [
            'health check hc-1 is failing: 9 of 50 checkers report Success (Route 53 needs more than 18%); with a failing side Route 53 answers with the zero-weight records, so fix it first',
          ]
        : []
    );
  });
});

describe('Function: deployedPolicyProblems, entries as written', () => {
  const input = inputWith({
    records: [
      {
        hostedZoneId: 'Z1',
        name: 'checkout.example.com',
        type: 'CNAME',
        blueSetIdentifier: 'b',
        greenSetIdentifier: 'g',
      },
    ],
  });

  it('blank entries are no entries: a parameter of blanks checks nothing', () => {
    expect(deployedPolicyProblems(input, { recordTypes: [' ', ''], recordNames: [''] })).toEqual(
      []
    );
  });

  it('entries are trimmed and blanks dropped before they are listed', () => {
    expect(
      deployedPolicyProblems(input, {
        recordTypes: [' A', '', 'AAAA '],
        recordNames: [' api.example.com', '', 'www.example.com '],
      })
    ).toEqual([
      'records[0].type CNAME is not in the stack parameter RecordTypes (A, AAAA); add it and redeploy, or the first write is denied',
      'records[0].name checkout.example.com (checkout.example.com) is not in the stack parameter RecordNames (api.example.com, www.example.com); add it and redeploy, or the first write is denied',
    ]);
  });

  it('a trimmed entry that matches is no problem', () => {
    expect(
      deployedPolicyProblems(input, {
        recordTypes: [' CNAME '],
        recordNames: [' checkout.example.com '],
      })
    ).toEqual([]);
  });

  it('every entry in the wrong form gets its own suggestion, one after the other', () => {
    expect(
      deployedPolicyProblems(input, {
        recordTypes: ['cname', 'Cname'],
        recordNames: ['Checkout.example.com', 'checkout.example.com.'],
      })
    ).toEqual([
      'records[0].type CNAME is not in the stack parameter RecordTypes (cname, Cname); "cname" is not in the upper case IAM compares (write CNAME); "Cname" is not in the upper case IAM compares (write CNAME); add it and redeploy, or the first write is denied',
      'records[0].name checkout.example.com (checkout.example.com) is not in the stack parameter RecordNames (Checkout.example.com, checkout.example.com.); "Checkout.example.com" is not in the normalised form IAM compares (write checkout.example.com); "checkout.example.com." is not in the normalised form IAM compares (write checkout.example.com); add it and redeploy, or the first write is denied',
    ]);
  });
});
