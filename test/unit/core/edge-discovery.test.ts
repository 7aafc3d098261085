import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalDnsName,
  discoverEdge,
  idleSides,
  type LoadBalancerDescription,
  loadBalancerDimension,
  missingDataProblems,
  recentDataQueries,
} from '../../../functions/core/edge-discovery.ts';
import type { RecordSet, WeightedPair } from '../../../functions/core/types.ts';
import { inputWith, WINDOW } from './fixtures.ts';

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer';
const GREEN_LB: LoadBalancerDescription = {
  name: 'green',
  arn: `${ARN}/app/green/50dc6c495c0c9188`,
  dnsName: 'green-1234.us-east-1.elb.amazonaws.com',
  type: 'application',
};
const BLUE_LB: LoadBalancerDescription = {
  name: 'blue',
  arn: `${ARN}/net/blue/73e2d6bc24d8a067`,
  dnsName: 'blue-5678.elb.us-east-1.amazonaws.com',
  type: 'network',
};

const record = (id: string, dnsName?: string): RecordSet => ({
  Name: 'api.example.com.',
  Type: 'A',
  SetIdentifier: id,
  Weight: 1,
  ...(dnsName === undefined
    ? { TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] }
    : {
        AliasTarget: {
          HostedZoneId: 'Z35SXDOTRQ7X7K',
          DNSName: dnsName,
          EvaluateTargetHealth: false,
        },
      }),
});
const pair = (blue: RecordSet, green: RecordSet): WeightedPair => ({
  hostedZoneId: 'Z1',
  name: 'api.example.com',
  type: 'A',
  blue,
  green,
});

describe('Function: canonicalDnsName', () => {
  it.each([
    ['dualstack.Green-1234.us-east-1.elb.amazonaws.com.', 'green-1234.us-east-1.elb.amazonaws.com'],
    ['green-1234.us-east-1.elb.amazonaws.com', 'green-1234.us-east-1.elb.amazonaws.com'],
    ['GREEN-1234.US-EAST-1.ELB.AMAZONAWS.COM.', 'green-1234.us-east-1.elb.amazonaws.com'],
  ])('%s -> %s', (raw, expected) => {
    expect(canonicalDnsName(raw)).toBe(expected);
  });

  it('is idempotent and ignores the dualstack prefix and trailing dot (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9-]{1,20}(\.[a-z0-9-]{1,10}){1,4}$/), (name) => {
        const canonical = canonicalDnsName(name);
        expect(canonicalDnsName(canonical)).toBe(canonical);
        expect(canonicalDnsName(`dualstack.${name.toUpperCase()}.`)).toBe(canonical);
      })
    );
  });
});

describe('Function: loadBalancerDimension', () => {
  it.each([
    [GREEN_LB.arn, 'app/green/50dc6c495c0c9188'],
    [BLUE_LB.arn, 'net/blue/73e2d6bc24d8a067'],
    ['arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/tg/1', null],
  ])('%s -> %s', (arn, expected) => {
    expect(loadBalancerDimension(arn)).toBe(expected);
  });
});

describe('Function: discoverEdge', () => {
  it('finds each side from its alias (dualstack prefix, trailing dot, any case)', () => {
    // Act
    const found = discoverEdge(
      [
        pair(
          record('blue', 'dualstack.BLUE-5678.elb.us-east-1.amazonaws.com.'),
          record('green', 'dualstack.green-1234.us-east-1.elb.amazonaws.com.')
        ),
      ],
      [GREEN_LB, BLUE_LB]
    );

    // Assess
    expect(found.edge).toEqual([
      expect.objectContaining({
        side: 'green',
        kind: 'application',
        dimension: 'app/green/50dc6c495c0c9188',
      }),
      expect.objectContaining({
        side: 'blue',
        kind: 'network',
        dimension: 'net/blue/73e2d6bc24d8a067',
      }),
    ]);
  });

  it('finds nothing for records that are not ELB aliases (not a failure)', () => {
    // Act + Assess
    expect(discoverEdge([pair(record('blue'), record('green'))], [GREEN_LB]).edge).toEqual([]);
  });

  it('drops a load balancer both sides point to: its metrics mix blue and green', () => {
    // Act
    const found = discoverEdge(
      [pair(record('blue', GREEN_LB.dnsName), record('green', GREEN_LB.dnsName))],
      [GREEN_LB]
    );

    // Assess
    expect(found).toEqual({ edge: [], shared: ['app/green/50dc6c495c0c9188'] });
  });
});

describe('Function: missingDataProblems', () => {
  it('names every source and side without recent data', () => {
    // Prepare
    const input = inputWith({
      metrics: {
        queries: [
          {
            label: 'envoy',
            side: 'blue',
            badWhen: 'above',
            limit: 1,
            blue: { metricStat: { namespace: 'N', metricName: 'M', stat: 'Sum' } },
          },
        ],
      },
    });
    const [green, blue] = discoverEdge(
      [pair(record('blue', BLUE_LB.dnsName), record('green', GREEN_LB.dnsName))],
      [GREEN_LB, BLUE_LB]
    ).edge;
    const edge = [green!, blue!];
    const queries = recentDataQueries(edge, input, WINDOW);

    // Act
    const problems = missingDataProblems(edge, input, {
      kind: 'ok',
      series: { [queries[1]!.id]: { timestamps: [0], values: [4] } },
      failed: {},
    });

    // Assess
    expect(queries.map((q) => q.id)).toEqual(['xe0_recent', 'xe1_recent', 'xc0b']);
    expect(problems).toEqual([
      'edge load balancer app/green/50dc6c495c0c9188 (green) published no RequestCount in the last 15 min',
      'custom query envoy (blue) returned no data in the last 15 min',
    ]);
  });
});

describe('Function: idleSides', () => {
  it('names a side whose every record is at weight 0 (green before the first shift)', () => {
    // Prepare
    const blue = record('blue', BLUE_LB.dnsName);
    const green = { ...record('green', GREEN_LB.dnsName), Weight: 0 };

    // Act / Assess
    expect(idleSides([pair(blue, green)])).toEqual(new Set(['green']));
    expect(idleSides([pair(blue, green), pair(blue, record('green'))])).toEqual(new Set());
    expect(idleSides([])).toEqual(new Set());
  });

  it('asks no recent data of an idle side: an ALB without requests publishes no RequestCount', () => {
    // Prepare: green's ALB at 0 % has published nothing; blue's NLB has.
    const blue = record('blue', BLUE_LB.dnsName);
    const green = { ...record('green', GREEN_LB.dnsName), Weight: 0 };
    const pairs = [pair(blue, green)];
    const edge = discoverEdge(pairs, [GREEN_LB, BLUE_LB]).edge;
    const input = inputWith({
      metrics: {
        queries: [
          {
            label: 'green-envoy',
            side: 'green',
            badWhen: 'above',
            limit: 1,
            green: { metricStat: { namespace: 'N', metricName: 'M', stat: 'Sum' } },
          },
        ],
      },
    });
    const reading = {
      kind: 'ok' as const,
      series: { xe1_recent: { timestamps: [0], values: [4] } },
      failed: {},
    };

    // Act
    const problems = missingDataProblems(edge, input, reading, idleSides(pairs));

    // Assess
    expect(problems).toEqual([]);
    expect(missingDataProblems(edge, input, reading, new Set(['blue']))).toHaveLength(2);
  });
});
