/**
 * Route53TrafficRouter with scripted responses for what moto does not do like AWS (local-aws.md §3.3):
 * escaped wildcard listings, alias chains, traffic-policy records, failing health checks and a
 * NoSuchHostedZone answer to ListResourceRecordSetProtections. Each response reproduces the AWS behaviour
 * named in the test.
 */
import {
  GetHealthCheckStatusCommand,
  InvalidInput,
  ListResourceRecordSetProtectionsCommand,
  ListResourceRecordSetsCommand,
  NoSuchHealthCheck,
  NoSuchHostedZone,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_ALIAS_DEPTH } from '../../../functions/adapters/route53-alias-ttl.ts';
import { Route53TrafficRouter } from '../../../functions/adapters/route53-traffic-router.ts';
import { Route53NotFoundError } from '../../../functions/core/errors.ts';
import { parseMigrationInput, type RecordRef } from '../../../functions/core/input.ts';
import { draft } from '../core/fixtures.ts';

const route53 = mockClient(Route53Client);
let router: Route53TrafficRouter;

beforeEach(() => {
  route53.reset();
  router = new Route53TrafficRouter(new Route53Client({ region: 'us-east-1' }));
});

const ref: RecordRef = {
  hostedZoneId: 'Z1',
  name: 'api.example.com',
  type: 'A',
  blueSetIdentifier: 'blue',
  greenSetIdentifier: 'green',
};

function weighted(
  name: string,
  setIdentifier: string,
  weight: number,
  extra: Partial<ResourceRecordSet> = {}
) {
  return {
    Name: `${name}.`,
    Type: 'A' as const,
    SetIdentifier: setIdentifier,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: '192.0.2.1' }],
    ...extra,
  };
}

function aliasTo(target: string, zone = 'Z1'): Partial<ResourceRecordSet> {
  return {
    TTL: undefined,
    ResourceRecords: undefined,
    AliasTarget: { HostedZoneId: zone, DNSName: `${target}.`, EvaluateTargetHealth: false },
  };
}

/** Scripts one ListResourceRecordSets answer per start name (one page, sorted as AWS sorts it). */
function listing(groups: Record<string, ResourceRecordSet[]>) {
  for (const [name, records] of Object.entries(groups)) {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: name })
      .resolves({ ResourceRecordSets: records, IsTruncated: false });
  }
}

describe('Method: readPairs with a wildcard (AWS lists * as \\052)', () => {
  it('finds a *.example.com pair that Route 53 lists as \\052.example.com.', async () => {
    // Prepare: AWS returns the escaped name (DomainNameFormat); moto would list it verbatim
    const raw = draft();
    raw.records = [{ ...raw.records[0]!, hostedZoneId: 'Z1', name: '*.example.com' }];
    const input = parseMigrationInput(raw);
    listing({
      '\\052.example.com': [
        weighted('\\052.example.com', 'blue', 100),
        weighted('\\052.example.com', 'green', 0),
      ],
    });

    // Act
    const [pair] = await router.readPairs(input.records);

    // Assess
    expect(pair?.name).toBe('\\052.example.com');
    expect(pair?.blue.Name).toBe('\\052.example.com.');
    expect(route53).toReceiveCommandWith(ListResourceRecordSetsCommand, {
      StartRecordName: '\\052.example.com',
    });
  });

  it('names the wildcard readably when a record is missing', async () => {
    // Prepare
    listing({ '\\052.example.com': [weighted('\\052.example.com', 'blue', 100)] });

    // Act + Assess
    await expect(router.readPairs([{ ...ref, name: '\\052.example.com' }])).rejects.toThrow(
      /green SetIdentifier "green" of \*\.example\.com A in hosted zone Z1 does not exist/
    );
  });
});

describe('Method: readPairs resolves the effective TTL of aliases', () => {
  it('follows a same-zone alias chain to the TTL of the record it ends at', async () => {
    // Prepare: blue -> blue-target (alias) -> origin (TTL 3600); green -> ELB
    listing({
      'api.example.com': [
        weighted('api.example.com', 'blue', 100, aliasTo('blue-target.example.com')),
        weighted(
          'api.example.com',
          'green',
          0,
          aliasTo('green.elb.amazonaws.com', 'Z35SXDOTRQ7X7K')
        ),
      ],
      'blue-target.example.com': [
        { Name: 'blue-target.example.com.', Type: 'A', ...aliasTo('origin.example.com') },
      ],
      'origin.example.com': [
        {
          Name: 'origin.example.com.',
          Type: 'A',
          TTL: 3600,
          ResourceRecords: [{ Value: '192.0.2.9' }],
        },
      ],
    });

    // Act
    const [pair] = await router.readPairs([ref]);

    // Assess: the same-zone target's TTL, not the 60 s of an ELB alias
    expect(pair?.effectiveTtlSeconds).toEqual({ blue: 3600, green: 60 });
    expect(pair?.blue.AliasTarget?.DNSName).toBe('blue-target.example.com.');
  });

  it('takes the longest TTL when the target is itself a weighted group', async () => {
    // Prepare
    listing({
      'api.example.com': [
        weighted('api.example.com', 'blue', 100, aliasTo('pool.example.com')),
        weighted('api.example.com', 'green', 0),
      ],
      'pool.example.com': [
        weighted('pool.example.com', 'a', 1, { TTL: 30 }),
        weighted('pool.example.com', 'b', 1, { TTL: 600 }),
      ],
    });

    // Act
    const [pair] = await router.readPairs([ref]);

    // Assess
    expect(pair?.effectiveTtlSeconds).toEqual({ blue: 600, green: 60 });
  });

  it('collects the health checks inherited through EvaluateTargetHealth, hop by hop', async () => {
    // Prepare: blue evaluates hop (hc-hop); hop does not evaluate origin, so origin's hc-origin is not
    // blue's (API AliasTarget: an alias with EvaluateTargetHealth inherits the referenced record's health).
    const evaluating = (target: string): Partial<ResourceRecordSet> => ({
      ...aliasTo(target),
      AliasTarget: { HostedZoneId: 'Z1', DNSName: `${target}.`, EvaluateTargetHealth: true },
    });
    listing({
      'api.example.com': [
        weighted('api.example.com', 'blue', 100, evaluating('hop.example.com')),
        weighted('api.example.com', 'green', 0),
      ],
      'hop.example.com': [
        weighted('hop.example.com', 'h', 1, {
          ...aliasTo('origin.example.com'),
          HealthCheckId: 'hc-hop',
        }),
      ],
      'origin.example.com': [
        weighted('origin.example.com', 'o', 1, { HealthCheckId: 'hc-origin' }),
      ],
    });

    // Act
    const [pair] = await router.readPairs([ref]);

    // Assess
    expect(pair?.aliasTargetHealthCheckIds).toEqual(['hc-hop']);
  });

  it('refuses an alias loop, naming the chain', async () => {
    // Prepare
    listing({
      'api.example.com': [
        weighted('api.example.com', 'blue', 100, aliasTo('a.example.com')),
        weighted('api.example.com', 'green', 0),
      ],
      'a.example.com': [{ Name: 'a.example.com.', Type: 'A', ...aliasTo('api.example.com') }],
    });

    // Act
    const [pair] = await router.readPairs([ref]);

    // Assess: reported for Preflight to refuse, never thrown (restores read pairs too)
    expect(pair?.ttlProblems).toEqual([
      'alias loop: api.example.com -> a.example.com -> api.example.com (A in Z1)',
    ]);
    expect(pair).not.toHaveProperty('effectiveTtlSeconds');
  });

  it(`refuses a chain deeper than ${MAX_ALIAS_DEPTH} hops`, async () => {
    // Prepare: hop0 -> hop1 -> ... never ends
    const hops: Record<string, ResourceRecordSet[]> = {
      'api.example.com': [
        weighted('api.example.com', 'blue', 100, aliasTo('hop0.example.com')),
        weighted('api.example.com', 'green', 0),
      ],
    };
    for (let i = 0; i < 20; i++) {
      hops[`hop${i}.example.com`] = [
        { Name: `hop${i}.example.com.`, Type: 'A', ...aliasTo(`hop${i + 1}.example.com`) },
      ];
    }
    listing(hops);

    // Act
    const [pair] = await router.readPairs([ref]);

    // Assess
    expect(pair?.ttlProblems).toEqual([expect.stringMatching(/^alias chain longer than 8: /)]);
  });

  it('refuses an alias whose same-zone target is missing', async () => {
    // Prepare
    listing({
      'api.example.com': [
        weighted('api.example.com', 'blue', 100, aliasTo('gone.example.com')),
        weighted('api.example.com', 'green', 0),
      ],
      'gone.example.com': [],
    });

    // Act
    const [pair] = await router.readPairs([ref]);

    // Assess
    expect(pair?.ttlProblems).toEqual([
      expect.stringMatching(/^alias target not found: api\.example\.com -> gone\.example\.com/),
    ]);
  });
});

describe('Method: readPairs reads the whole weighted group', () => {
  it('returns the weighted other records and the traffic policy of a side', async () => {
    // Prepare: Route 53 sets TrafficPolicyInstanceId on records a traffic policy created
    listing({
      'api.example.com': [
        weighted('api.example.com', 'blue', 100),
        weighted('api.example.com', 'green', 0, { TrafficPolicyInstanceId: 'tp-1' }),
        weighted('api.example.com', 'legacy', 10, { HealthCheckId: 'hc-legacy' }),
        weighted('api.example.com', 'spare', 0),
      ],
    });

    // Act
    const [pair] = await router.readPairs([ref]);

    // Assess
    expect(pair?.others).toEqual([
      { SetIdentifier: 'legacy', Weight: 10, HealthCheckId: 'hc-legacy' },
    ]);
    expect(pair?.trafficPolicyInstanceIds).toEqual({ green: 'tp-1' });
    expect(pair?.green).not.toHaveProperty('TrafficPolicyInstanceId');
  });
});

describe('Method: readHealthChecks', () => {
  it('returns each check’s checker statuses once', async () => {
    // Prepare: the shape AWS documents (GetHealthCheckStatus); moto only ever reports Success
    route53.on(GetHealthCheckStatusCommand, { HealthCheckId: 'hc-1' }).resolves({
      HealthCheckObservations: [
        { Region: 'us-east-1', StatusReport: { Status: 'Failure: Connection timed out.' } },
        { Region: 'eu-west-1', StatusReport: { Status: 'Success: HTTP Status Code 200, OK' } },
      ],
    });

    // Act
    const reports = await router.readHealthChecks(['hc-1', 'hc-1']);

    // Assess
    expect(reports).toEqual([
      {
        healthCheckId: 'hc-1',
        statuses: ['Failure: Connection timed out.', 'Success: HTTP Status Code 200, OK'],
      },
    ]);
    expect(route53).toReceiveCommandTimes(GetHealthCheckStatusCommand, 1);
  });

  it('reports a calculated health check as unreadable (Route 53 answers InvalidInput)', async () => {
    // Prepare
    route53
      .on(GetHealthCheckStatusCommand)
      .rejects(new InvalidInput({ message: 'calculated health check', $metadata: {} }));

    // Act + Assess
    expect(await router.readHealthChecks(['hc-calc'])).toEqual([
      { healthCheckId: 'hc-calc', statuses: null, reason: 'calculated health check' },
    ]);
  });

  it('throws Route53NotFoundError for a health check that does not exist', async () => {
    // Prepare
    route53
      .on(GetHealthCheckStatusCommand)
      .rejects(new NoSuchHealthCheck({ message: 'no hc-x', $metadata: { httpStatusCode: 404 } }));

    // Act + Assess
    await expect(router.readHealthChecks(['hc-x'])).rejects.toBeInstanceOf(Route53NotFoundError);
  });
});

describe('Method: checkProtections', () => {
  it('throws on NoSuchHostedZone (a 404 about the zone, not "not implemented")', async () => {
    // Prepare: AWS answers a missing zone with NoSuchHostedZone, HTTP 404
    route53.on(ListResourceRecordSetProtectionsCommand).rejects(
      new NoSuchHostedZone({
        message: 'No hosted zone found with ID: Z1',
        $metadata: { httpStatusCode: 404 },
      })
    );

    // Act + Assess
    await expect(router.checkProtections([ref])).rejects.toThrow(
      new Route53NotFoundError(
        'ListResourceRecordSetProtections Z1: NoSuchHostedZone: No hosted zone found with ID: Z1'
      )
    );
  });

  it('finds a protection on a wildcard listed as \\052 and names it readably', async () => {
    // Prepare: AWS lists the protected wildcard escaped, like the records (DomainNameFormat)
    route53.on(ListResourceRecordSetProtectionsCommand).resolves({
      ResourceRecordSetProtections: [{ RecordName: '\\052.example.com.', RecordType: 'A' }],
    });

    // Act
    const check = await router.checkProtections([{ ...ref, name: '*.example.com' }]);

    // Assess: Preflight's refusal shows the name as people write it (design.md §6)
    expect(check).toEqual({ known: true, records: ['*.example.com A'] });
  });
});
