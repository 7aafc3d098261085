/**
 * Route53TrafficRouter against a real moto_server over HTTP with the real SDK client.
 * Avoids moto's known gaps (local-aws.md §3.3): default MaxItems only, unique SetIdentifiers,
 * no PENDING changes, no batch atomicity (tested with scripted errors in test/unit/adapters).
 */
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import { PreflightFailedError, Route53ChangeRejectedError } from '../../functions/core/errors.ts';
import type { RecordRef } from '../../functions/core/input.ts';
import type { PairWeights, WeightedPair } from '../../functions/core/types.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import {
  createHealthCheck,
  createZone,
  ELB_ZONE_ID,
  seedAliasPair,
  seedPlainPair,
  seedSimpleRecord,
} from '../support/route53-fixtures.ts';

let moto: Moto;
let route53: Route53Client;
let router: Route53TrafficRouter;

beforeAll(async () => {
  moto = await startMoto();
  route53 = new Route53Client(clientConfig(moto.endpoint));
  router = new Route53TrafficRouter(route53);
});

afterAll(async () => {
  route53?.destroy();
  await moto?.stop();
});

function weightsFor(pair: WeightedPair, blueWeight: number, greenWeight: number): PairWeights {
  return {
    hostedZoneId: pair.hostedZoneId,
    name: pair.name,
    type: pair.type,
    blueWeight,
    greenWeight,
  };
}

/** Everything but the weights, to compare a pair before and after a write. */
function withoutWeights(pair: WeightedPair) {
  const { Weight: _blue, ...blue } = pair.blue;
  const { Weight: _green, ...green } = pair.green;
  return { ...pair, blue, green };
}

describe('Route53TrafficRouter against moto', () => {
  let zoneId: string;
  let plain: RecordRef;
  let alias: RecordRef;
  let healthCheckId: string;

  beforeAll(async () => {
    zoneId = await createZone(route53, 'example.com');
    healthCheckId = await createHealthCheck(route53, 'blue.example.com');
    plain = await seedPlainPair(route53, zoneId, {
      name: 'api.example.com',
      blueHealthCheckId: healthCheckId,
    });
    alias = await seedAliasPair(route53, zoneId, { name: 'www.example.com' });
    // A neighbour that sorts right after api.example.com: the listing must stop before it.
    await seedPlainPair(route53, zoneId, { name: 'apx.example.com' });
  });

  it('reads a plain pair and an alias pair verbatim', async () => {
    // Act
    const [plainPair, aliasPair] = await router.readPairs([plain, alias]);

    // Assess
    expect(plainPair).toEqual({
      hostedZoneId: zoneId,
      name: 'api.example.com',
      type: 'A',
      blue: {
        Name: 'api.example.com.',
        Type: 'A',
        SetIdentifier: plain.blueSetIdentifier,
        Weight: 100,
        TTL: 60,
        ResourceRecords: [{ Value: '10.0.0.1' }],
        HealthCheckId: healthCheckId,
      },
      green: {
        Name: 'api.example.com.',
        Type: 'A',
        SetIdentifier: plain.greenSetIdentifier,
        Weight: 0,
        TTL: 60,
        ResourceRecords: [{ Value: '10.0.0.2' }],
      },
      effectiveTtlSeconds: { blue: 60, green: 60 },
      others: [],
    });
    // moto lists aliases with TTL 0; AWS never returns one and refuses one on UPSERT.
    expect(aliasPair).toEqual({
      hostedZoneId: zoneId,
      name: 'www.example.com',
      type: 'A',
      blue: {
        Name: 'www.example.com.',
        Type: 'A',
        SetIdentifier: alias.blueSetIdentifier,
        Weight: 255,
        AliasTarget: {
          HostedZoneId: ELB_ZONE_ID,
          DNSName: 'blue-alb-123456.us-east-1.elb.amazonaws.com.',
          EvaluateTargetHealth: true,
        },
      },
      green: {
        Name: 'www.example.com.',
        Type: 'A',
        SetIdentifier: alias.greenSetIdentifier,
        Weight: 0,
        AliasTarget: {
          HostedZoneId: ELB_ZONE_ID,
          DNSName: 'green-alb-654321.us-east-1.elb.amazonaws.com.',
          EvaluateTargetHealth: false,
        },
      },
      // An alias to an ELB serves 60 s (Route 53 FAQ).
      effectiveTtlSeconds: { blue: 60, green: 60 },
      others: [],
    });
    expect(JSON.parse(JSON.stringify(plainPair))).toEqual(plainPair);
  });

  it('finds the records whatever the case and trailing dot of the requested name', async () => {
    // Act
    const [pair] = await router.readPairs([{ ...plain, name: 'API.Example.com.' }]);

    // Assess
    expect(pair?.name).toBe('api.example.com');
    expect(pair?.blue.SetIdentifier).toBe(plain.blueSetIdentifier);
  });

  it('refuses a pair whose green SetIdentifier does not exist, naming it', async () => {
    // Act
    const reading = router.readPairs([{ ...plain, greenSetIdentifier: 'nope' }]);

    // Assess
    await expect(reading).rejects.toBeInstanceOf(PreflightFailedError);
    await expect(reading).rejects.toThrow(/green SetIdentifier "nope" of api\.example\.com A/);
  });

  it('refuses a name that only has a simple record', async () => {
    // Prepare
    await seedSimpleRecord(route53, zoneId, 'simple.example.com');

    // Act
    const reading = router.readPairs([{ ...plain, name: 'simple.example.com' }]);

    // Assess
    await expect(reading).rejects.toThrow(
      /blue SetIdentifier .* of simple\.example\.com A .*"\(simple\)"/
    );
  });

  it('changes only the weights of a plain and an alias pair, in one change', async () => {
    // Prepare
    const zone = await createZone(route53, 'shift.example.org');
    const hc = await createHealthCheck(route53, 'blue.shift.example.org');
    const refs = [
      await seedPlainPair(route53, zone, { name: 'api.shift.example.org', blueHealthCheckId: hc }),
      await seedAliasPair(route53, zone, { name: 'www.shift.example.org' }),
    ];
    const before = await router.readPairs(refs);

    // Act
    const changeIds = await router.applyWeights(
      before,
      before.map((pair) => weightsFor(pair, 90, 10))
    );

    // Assess
    expect(changeIds).toHaveLength(1);
    const after = await router.readPairs(refs);
    expect(after.map((pair) => [pair.blue.Weight, pair.green.Weight])).toEqual([
      [90, 10],
      [90, 10],
    ]);
    expect(after.map(withoutWeights)).toEqual(before.map(withoutWeights));
  });

  it('restores the records exactly to the snapshot', async () => {
    // Prepare
    const zone = await createZone(route53, 'restore.example.org');
    const hc = await createHealthCheck(route53, 'blue.restore.example.org');
    const refs = [
      await seedPlainPair(route53, zone, {
        name: 'api.restore.example.org',
        blueWeight: 70,
        greenWeight: 30,
        blueHealthCheckId: hc,
      }),
      await seedAliasPair(route53, zone, {
        name: 'www.restore.example.org',
        blueWeight: 200,
        greenWeight: 55,
      }),
    ];
    const snapshot = await router.readPairs(refs);
    await router.applyWeights(
      snapshot,
      snapshot.map((pair) => weightsFor(pair, 0, 100))
    );

    // Act
    const changeIds = await router.restore(snapshot);

    // Assess
    expect(changeIds).toHaveLength(1);
    expect(await router.readPairs(refs)).toEqual(snapshot);
  });

  it('sends one change per hosted zone', async () => {
    // Prepare
    const zoneA = await createZone(route53, 'zone-a.example.net');
    const zoneB = await createZone(route53, 'zone-b.example.net');
    const refs = [
      await seedPlainPair(route53, zoneA, { name: 'api.zone-a.example.net' }),
      await seedPlainPair(route53, zoneB, { name: 'api.zone-b.example.net' }),
    ];
    const pairs = await router.readPairs(refs);

    // Act
    const changeIds = await router.applyWeights(
      pairs,
      pairs.map((pair) => weightsFor(pair, 50, 50))
    );

    // Assess
    expect(changeIds).toHaveLength(2);
    const after = await router.readPairs(refs);
    expect(after.map((pair) => [pair.hostedZoneId, pair.blue.Weight, pair.green.Weight])).toEqual([
      [zoneA, 50, 50],
      [zoneB, 50, 50],
    ]);
  });

  it('reports a submitted change as INSYNC, with or without the /change/ prefix', async () => {
    // Prepare
    const [pair] = await router.readPairs([plain]);
    const [changeId] = await router.applyWeights([pair!], [weightsFor(pair!, 100, 0)]);

    // Act
    const statuses = [
      await router.getChangeStatus(changeId!),
      await router.getChangeStatus(changeId!.replace('/change/', '')),
    ];

    // Assess
    expect(changeId).toMatch(/^\/change\//);
    expect(statuses).toEqual(['INSYNC', 'INSYNC']);
  });

  it('refuses all-zero weights without writing anything', async () => {
    // Prepare
    const [pair] = await router.readPairs([plain]);

    // Act
    const writing = router.applyWeights([pair!], [weightsFor(pair!, 0, 0)]);

    // Assess
    await expect(writing).rejects.toBeInstanceOf(Route53ChangeRejectedError);
    expect(await router.readPairs([plain])).toEqual([pair]);
  });

  it('says protections are unknown because moto does not implement ListResourceRecordSetProtections', async () => {
    // Act
    const check = await router.checkProtections([plain]);
    const listed = await router.listProtectedRecords([plain]);

    // Assess
    expect(check).toEqual({ known: false, reason: expect.stringMatching(/not implemented/) });
    expect(listed).toEqual([]);
  });

  it('stops listing at the first record past the wanted name and type (one page, no paging)', async () => {
    // Prepare: what moto returns when starting at api.example.com A
    const page = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: 'api.example.com',
        StartRecordType: 'A',
      })
    );

    // Act
    const [pair] = await router.readPairs([plain]);

    // Assess: the page holds more than our pair, yet only our pair is read
    expect((page.ResourceRecordSets ?? []).length).toBeGreaterThan(2);
    expect([pair?.blue.SetIdentifier, pair?.green.SetIdentifier]).toEqual([
      plain.blueSetIdentifier,
      plain.greenSetIdentifier,
    ]);
  });

  it('writes a pair created through the raw API and read back by the router unchanged', async () => {
    // Prepare: a TXT weighted pair, to cover a type other than A
    const zone = await createZone(route53, 'txt.example.org');
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone,
        ChangeBatch: {
          Changes: ['txt-blue-1', 'txt-green-1'].map((id, i) => ({
            Action: 'CREATE' as const,
            ResourceRecordSet: {
              Name: 'txt.example.org',
              Type: 'TXT' as const,
              SetIdentifier: id,
              Weight: i === 0 ? 1 : 0,
              TTL: 30,
              ResourceRecords: [{ Value: `"${id}"` }],
            },
          })),
        },
      })
    );
    const ref: RecordRef = {
      hostedZoneId: zone,
      name: 'txt.example.org',
      type: 'TXT',
      blueSetIdentifier: 'txt-blue-1',
      greenSetIdentifier: 'txt-green-1',
    };
    const before = await router.readPairs([ref]);

    // Act
    await router.applyWeights(before, [weightsFor(before[0]!, 0, 255)]);

    // Assess
    const [after] = await router.readPairs([ref]);
    expect([after?.blue.Weight, after?.green.Weight]).toEqual([0, 255]);
    expect(withoutWeights(after!)).toEqual(withoutWeights(before[0]!));
  });
});
