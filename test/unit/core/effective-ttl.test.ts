import { describe, expect, it } from 'vitest';
import { ALIAS_TTL_SECONDS, effectiveTtlSeconds } from '../../../functions/core/run.ts';
import type { RecordSet } from '../../../functions/core/types.ts';
import { pairWith, record } from './fixtures.ts';

/** An alias record as Route 53 returns it: no TTL, no values. */
function aliasRecord(side: 'blue' | 'green'): RecordSet {
  const { TTL: _ttl, ResourceRecords: _values, ...rest } = record(side, 1);
  return {
    ...rest,
    AliasTarget: {
      HostedZoneId: 'Z35SXDOTRQ7X7K',
      DNSName: `${side}.elb.amazonaws.com`,
      EvaluateTargetHealth: true,
    },
  };
}

describe('Function: effectiveTtlSeconds (either side an alias)', () => {
  it.each([
    { side: 'blue' as const, plainTtl: 30, expected: ALIAS_TTL_SECONDS },
    { side: 'green' as const, plainTtl: 30, expected: ALIAS_TTL_SECONDS },
    { side: 'green' as const, plainTtl: 300, expected: 300 },
  ])(
    'takes the alias TTL for a $side alias next to a $plainTtl s record: $expected s',
    ({ side, plainTtl, expected }) => {
      // Prepare
      const plain = pairWith({ blue: 1, green: 0 });
      const pair = {
        ...plain,
        blue: { ...plain.blue, TTL: plainTtl },
        green: { ...plain.green, TTL: plainTtl },
        [side]: aliasRecord(side),
      };

      // Act + Assess
      expect(effectiveTtlSeconds([pair])).toBe(expected);
    }
  );
});
