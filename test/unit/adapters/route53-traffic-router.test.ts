import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  InvalidInput,
  ListResourceRecordSetProtectionsCommand,
  ListResourceRecordSetsCommand,
  NoSuchChange,
  NoSuchHostedZone,
  PriorRequestNotComplete,
  Route53Client,
  Route53ServiceException,
  type RRType,
  ThrottlingException,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Route53TrafficRouter } from '../../../functions/adapters/route53-traffic-router.ts';
import { isServerFault } from '../../../functions/adapters/sdk-faults.ts';
import {
  PreflightFailedError,
  Route53BusyError,
  Route53ChangeRejectedError,
  Route53NotFoundError,
} from '../../../functions/core/errors.ts';
import type { RecordRef } from '../../../functions/core/input.ts';
import type { PairWeights, RecordSet, WeightedPair } from '../../../functions/core/types.ts';

/** A RecordSet whose Type the SDK accepts (RecordSet.Type is a plain string). */
type SdkRecord = RecordSet & { Type: RRType };

const route53 = mockClient(Route53Client);

const ref: RecordRef = {
  hostedZoneId: 'Z1',
  name: 'api.example.com',
  type: 'A',
  blueSetIdentifier: 'blue',
  greenSetIdentifier: 'green',
};

const blue: SdkRecord = {
  Name: 'api.example.com.',
  Type: 'A',
  SetIdentifier: 'blue',
  Weight: 100,
  TTL: 60,
  ResourceRecords: [{ Value: '10.0.0.1' }],
  HealthCheckId: 'hc-1',
};
const green: SdkRecord = {
  Name: 'api.example.com.',
  Type: 'A',
  SetIdentifier: 'green',
  Weight: 0,
  TTL: 60,
  ResourceRecords: [{ Value: '10.0.0.2' }],
};
const pair: WeightedPair = { hostedZoneId: 'Z1', name: 'api.example.com', type: 'A', blue, green };
/** What readPairs returns for `pair`: plus the resolved TTLs and the (empty) rest of the group. */
const pairAsRead: WeightedPair = {
  ...pair,
  effectiveTtlSeconds: { blue: 60, green: 60 },
  others: [],
};

const aliasBlue: SdkRecord = {
  Name: 'www.example.org.',
  Type: 'A',
  SetIdentifier: 'www-blue',
  Weight: 255,
  AliasTarget: {
    HostedZoneId: 'Z35SXDOTRQ7X7K',
    DNSName: 'blue.elb.amazonaws.com.',
    EvaluateTargetHealth: true,
  },
};
const aliasGreen: SdkRecord = {
  Name: 'www.example.org.',
  Type: 'A',
  SetIdentifier: 'www-green',
  Weight: 0,
  AliasTarget: {
    HostedZoneId: 'Z35SXDOTRQ7X7K',
    DNSName: 'green.elb.amazonaws.com.',
    EvaluateTargetHealth: false,
  },
};
const aliasPair: WeightedPair = {
  hostedZoneId: 'Z2',
  name: 'www.example.org',
  type: 'A',
  blue: aliasBlue,
  green: aliasGreen,
};

function weights(target: WeightedPair, blueWeight: number, greenWeight: number): PairWeights {
  return {
    hostedZoneId: target.hostedZoneId,
    name: target.name,
    type: target.type,
    blueWeight,
    greenWeight,
  };
}

const changed = (id: string) => ({
  ChangeInfo: { Id: `/change/${id}`, Status: 'PENDING' as const, SubmittedAt: new Date(0) },
});

let router: Route53TrafficRouter;

beforeEach(() => {
  route53.reset();
  router = new Route53TrafficRouter(new Route53Client({ region: 'us-east-1' }));
});

describe('Method: readPairs', () => {
  it('starts the listing at the record name and type', async () => {
    // Prepare
    route53
      .on(ListResourceRecordSetsCommand)
      .resolves({ ResourceRecordSets: [blue, green], IsTruncated: false });

    // Act
    const pairs = await router.readPairs([ref]);

    // Assess
    expect(pairs).toEqual([pairAsRead]);
    expect(route53).toReceiveCommandExactlyOnceWith(ListResourceRecordSetsCommand, {
      HostedZoneId: 'Z1',
      StartRecordName: 'api.example.com',
      StartRecordType: 'A',
    });
  });

  it('follows NextRecordIdentifier across pages inside a weighted group', async () => {
    // Prepare
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [blue],
        IsTruncated: true,
        NextRecordName: 'api.example.com.',
        NextRecordType: 'A',
        NextRecordIdentifier: 'green',
      })
      .resolvesOnce({
        ResourceRecordSets: [green, { ...green, Name: 'apx.example.com.', SetIdentifier: 'other' }],
        IsTruncated: true,
        NextRecordName: 'apy.example.com.',
        NextRecordType: 'A',
      });
    const paging = new Route53TrafficRouter(new Route53Client({ region: 'us-east-1' }), {
      maxItems: 1,
    });

    // Act
    const pairs = await paging.readPairs([ref]);

    // Assess: the second page moved past the name, so there is no third call
    expect(pairs).toEqual([pairAsRead]);
    expect(route53).toReceiveCommandTimes(ListResourceRecordSetsCommand, 2);
    expect(route53).toReceiveNthCommandWith(ListResourceRecordSetsCommand, 2, {
      HostedZoneId: 'Z1',
      StartRecordName: 'api.example.com.',
      StartRecordType: 'A',
      StartRecordIdentifier: 'green',
      MaxItems: 1,
    });
  });

  it('gives up after maxPages when the endpoint repeats the same page (moto ignores StartRecordIdentifier)', async () => {
    // Prepare
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [blue],
      IsTruncated: true,
      NextRecordName: 'api.example.com.',
      NextRecordType: 'A',
    });
    const capped = new Route53TrafficRouter(new Route53Client({ region: 'us-east-1' }), {
      maxPages: 3,
    });

    // Act
    const reading = capped.readPairs([ref]);

    // Assess
    await expect(reading).rejects.toThrow(PreflightFailedError);
    await expect(reading).rejects.toThrow(/after 3 ListResourceRecordSets pages/);
    expect(route53).toReceiveCommandTimes(ListResourceRecordSetsCommand, 3);
  });

  it('matches names regardless of case and trailing dot', async () => {
    // Prepare
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { ...blue, Name: 'API.Example.COM.' },
        { ...green, Name: 'api.example.com' },
      ],
    });

    // Act
    const [found] = await router.readPairs([{ ...ref, name: 'api.example.com.' }]);

    // Assess
    expect(found?.name).toBe('api.example.com');
    expect(found?.blue.Name).toBe('API.Example.COM.');
  });

  it('refuses a record that has a SetIdentifier but no weight, naming it', async () => {
    // Prepare: a failover record under the same name and type
    const { Weight: _weight, ...notWeighted } = green;
    route53
      .on(ListResourceRecordSetsCommand)
      .resolves({ ResourceRecordSets: [blue, { ...notWeighted, Failover: 'PRIMARY' }] });

    // Act
    const reading = router.readPairs([ref]);

    // Assess
    await expect(reading).rejects.toThrow(PreflightFailedError);
    await expect(reading).rejects.toThrow(
      'record not weighted: green SetIdentifier "green" of api.example.com A in hosted zone Z1 has no Weight'
    );
  });

  it('refuses a missing SetIdentifier, listing what exists', async () => {
    // Prepare
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [green] });

    // Act
    const reading = router.readPairs([ref]);

    // Assess
    await expect(reading).rejects.toThrow(
      'record not found: blue SetIdentifier "blue" of api.example.com A in hosted zone Z1 does not exist (found: "green")'
    );
  });

  it('drops the TTL of alias records (AWS omits it; moto lists TTL 0)', async () => {
    // Prepare
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { ...aliasBlue, TTL: 0, ResourceRecords: [] },
        { ...aliasGreen, TTL: 0 },
      ],
    });

    // Act
    const [found] = await router.readPairs([
      {
        ...ref,
        hostedZoneId: 'Z2',
        name: 'www.example.org',
        blueSetIdentifier: 'www-blue',
        greenSetIdentifier: 'www-green',
      },
    ]);

    // Assess
    expect(found).toEqual({
      ...aliasPair,
      effectiveTtlSeconds: { blue: 60, green: 60 },
      others: [],
    });
  });

  it('turns NoSuchHostedZone into Route53NotFoundError', async () => {
    // Prepare
    route53
      .on(ListResourceRecordSetsCommand)
      .rejects(new NoSuchHostedZone({ message: 'No hosted zone Z1', $metadata: {} }));

    // Act + Assess
    await expect(router.readPairs([ref])).rejects.toThrow(Route53NotFoundError);
  });
});

describe('Method: applyWeights', () => {
  it('re-sends both records whole with only the weights changed, in one batch', async () => {
    // Prepare
    route53.on(ChangeResourceRecordSetsCommand).resolves(changed('C1'));

    // Act
    const ids = await router.applyWeights([pair], [weights(pair, 90, 10)]);

    // Assess
    expect(ids).toEqual(['/change/C1']);
    expect(route53).toReceiveCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z1',
      ChangeBatch: {
        Comment: 'traffic-shift: set weights',
        Changes: [
          { Action: 'UPSERT', ResourceRecordSet: { ...blue, Weight: 90 } },
          { Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: 10 } },
        ],
      },
    });
  });

  it('sends one batch per hosted zone and returns one change ID each', async () => {
    // Prepare
    route53
      .on(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z1' })
      .resolves(changed('C1'))
      .on(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z2' })
      .resolves(changed('C2'));

    // Act
    const ids = await router.applyWeights(
      [pair, aliasPair],
      [weights(pair, 0, 100), weights(aliasPair, 0, 255)]
    );

    // Assess
    expect(ids).toEqual(['/change/C1', '/change/C2']);
    expect(route53).toReceiveCommandTimes(ChangeResourceRecordSetsCommand, 2);
    expect(route53).toReceiveCommandWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z2',
      ChangeBatch: {
        Comment: 'traffic-shift: set weights',
        Changes: [
          { Action: 'UPSERT', ResourceRecordSet: { ...aliasBlue, Weight: 0 } },
          { Action: 'UPSERT', ResourceRecordSet: { ...aliasGreen, Weight: 255 } },
        ],
      },
    });
  });

  it.each([
    { case: 'both weights zero', blueWeight: 0, greenWeight: 0, message: /both 0/ },
    {
      case: 'a weight above 255',
      blueWeight: 0,
      greenWeight: 256,
      message: /green weight 256 is not an integer from 0 to 255/,
    },
    { case: 'a negative weight', blueWeight: -1, greenWeight: 100, message: /blue weight -1/ },
    {
      case: 'a fractional weight',
      blueWeight: 99.5,
      greenWeight: 0.5,
      message: /blue weight 99\.5/,
    },
  ])('refuses $case before calling Route 53', async ({ blueWeight, greenWeight, message }) => {
    // Act
    const writing = router.applyWeights([pair], [weights(pair, blueWeight, greenWeight)]);

    // Assess
    await expect(writing).rejects.toThrow(Route53ChangeRejectedError);
    await expect(writing).rejects.toThrow(message);
    expect(route53).not.toReceiveAnyCommand();
  });

  it('refuses weights for a pair it was not given', async () => {
    // Act
    const writing = router.applyWeights(
      [pair],
      [weights(pair, 90, 10), weights(aliasPair, 90, 10)]
    );

    // Assess
    await expect(writing).rejects.toThrow(
      /www\.example\.org A in hosted zone Z2: not among the records read/
    );
    expect(route53).not.toReceiveAnyCommand();
  });

  it('matches weights to pairs whatever the zone prefix and name case', async () => {
    // Prepare
    route53.on(ChangeResourceRecordSetsCommand).resolves(changed('C1'));

    // Act
    const ids = await router.applyWeights(
      [pair],
      [{ ...weights(pair, 50, 50), hostedZoneId: '/hostedzone/Z1', name: 'API.example.com.' }]
    );

    // Assess
    expect(ids).toEqual(['/change/C1']);
  });

  it.each([
    {
      error: new PriorRequestNotComplete({ message: 'busy', $metadata: {} }),
      expected: Route53BusyError,
    },
    {
      error: new Route53ServiceException({
        name: 'Throttling',
        $fault: 'client',
        $metadata: {},
        message: 'Rate exceeded',
      }),
      expected: Route53BusyError,
    },
    {
      error: new ThrottlingException({ message: 'slow down', $metadata: {} }),
      expected: Route53BusyError,
    },
    {
      error: new InvalidInput({ message: 'TTL with AliasTarget', $metadata: {} }),
      expected: Route53ChangeRejectedError,
    },
    {
      error: new NoSuchHostedZone({ message: 'no zone', $metadata: {} }),
      expected: Route53NotFoundError,
    },
  ])('turns $error.name into $expected.name, keeping the cause', async ({ error, expected }) => {
    // Prepare
    route53.on(ChangeResourceRecordSetsCommand).rejects(error);

    // Act
    const caught = await router
      .applyWeights([pair], [weights(pair, 90, 10)])
      .catch((e: unknown) => e);

    // Assess
    expect(caught).toBeInstanceOf(expected);
    expect((caught as Error).cause).toBe(error);
    expect((caught as Error).message).toMatch(/hosted zone Z1/);
  });

  it('names every message of an InvalidChangeBatch and what to check', async () => {
    // Prepare
    route53.on(ChangeResourceRecordSetsCommand).rejects(
      new InvalidChangeBatch({
        message: 'rejected',
        $metadata: {},
        messages: ['RRSet with DNS name api.example.com. is protected', 'second problem'],
      })
    );

    // Act
    const writing = router.applyWeights([pair], [weights(pair, 90, 10)]);

    // Assess
    await expect(writing).rejects.toThrow(Route53ChangeRejectedError);
    await expect(writing).rejects.toThrow(
      /rejected the change batch: RRSet with DNS name api\.example\.com\. is protected; second problem\. Check for a record-set protection/
    );
  });

  it('re-throws unknown errors unchanged', async () => {
    // Prepare
    const unknown = new Route53ServiceException({
      name: 'SomethingNew',
      $fault: 'client',
      $metadata: {},
      message: 'no',
    });
    route53.on(ChangeResourceRecordSetsCommand).rejects(unknown);

    // Act
    const caught = await router
      .applyWeights([pair], [weights(pair, 90, 10)])
      .catch((e: unknown) => e);

    // Assess
    expect(caught).toBe(unknown);
  });

  it('turns AccessDenied on a write into Route53ChangeRejectedError (no retry can succeed)', async () => {
    // Prepare
    route53.on(ChangeResourceRecordSetsCommand).rejects(
      new Route53ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'not authorized to perform route53:ChangeResourceRecordSets',
      })
    );

    // Act
    const caught = await router
      .applyWeights([pair], [weights(pair, 90, 10)])
      .catch((e: unknown) => e);

    // Assess
    expect(caught).toBeInstanceOf(Route53ChangeRejectedError);
    expect((caught as Error).message).toMatch(/refused access \(AccessDenied\)/);
  });
});

describe('Method: restore', () => {
  it('re-sends the snapshot verbatim, one batch per zone', async () => {
    // Prepare
    route53.on(ChangeResourceRecordSetsCommand).resolves(changed('C9'));
    const snapshot = [pair, aliasPair];

    // Act
    const ids = await router.restore(snapshot);

    // Assess
    expect(ids).toEqual(['/change/C9', '/change/C9']);
    expect(route53).toReceiveNthCommandWith(ChangeResourceRecordSetsCommand, 1, {
      HostedZoneId: 'Z1',
      ChangeBatch: {
        Comment: 'traffic-shift: restore snapshot',
        Changes: [
          { Action: 'UPSERT', ResourceRecordSet: blue },
          { Action: 'UPSERT', ResourceRecordSet: green },
        ],
      },
    });
  });

  it('makes no call for an empty snapshot', async () => {
    // Act
    const ids = await router.restore([]);

    // Assess
    expect(ids).toEqual([]);
    expect(route53).not.toReceiveAnyCommand();
  });
});

describe('Method: getChangeStatus', () => {
  it.each(['/change/C1', 'C1'])('reports PENDING for %s, asking for the bare ID', async (id) => {
    // Prepare
    route53
      .on(GetChangeCommand)
      .resolves({ ChangeInfo: { Id: 'C1', Status: 'PENDING', SubmittedAt: new Date(0) } });

    // Act
    const status = await router.getChangeStatus(id);

    // Assess
    expect(status).toBe('PENDING');
    expect(route53).toReceiveCommandWith(GetChangeCommand, { Id: 'C1' });
  });

  it('reports INSYNC', async () => {
    // Prepare
    route53
      .on(GetChangeCommand)
      .resolves({ ChangeInfo: { Id: 'C1', Status: 'INSYNC', SubmittedAt: new Date(0) } });

    // Act + Assess
    await expect(router.getChangeStatus('C1')).resolves.toBe('INSYNC');
  });

  it('turns NoSuchChange into Route53NotFoundError', async () => {
    // Prepare
    route53.on(GetChangeCommand).rejects(new NoSuchChange({ message: 'gone', $metadata: {} }));

    // Act + Assess
    await expect(router.getChangeStatus('C1')).rejects.toThrow(Route53NotFoundError);
  });

  it('turns Throttling into Route53BusyError', async () => {
    // Prepare
    route53.on(GetChangeCommand).rejects(
      new Route53ServiceException({
        name: 'Throttling',
        $fault: 'client',
        $metadata: {},
        message: 'Rate exceeded',
      })
    );

    // Act + Assess
    await expect(router.getChangeStatus('C1')).rejects.toThrow(Route53BusyError);
  });
});

describe('Method: listProtectedRecords', () => {
  it('lists the protected names among the refs, following NextToken', async () => {
    // Prepare
    route53
      .on(ListResourceRecordSetProtectionsCommand)
      .resolvesOnce({
        ResourceRecordSetProtections: [{ RecordName: 'other.example.com.', RecordType: 'A' }],
        NextToken: 't2',
      })
      .resolvesOnce({
        ResourceRecordSetProtections: [
          { RecordName: 'API.example.com.', RecordType: 'A' },
          { RecordName: 'api.example.com.', RecordType: 'AAAA' },
        ],
      });

    // Act
    const names = await router.listProtectedRecords([ref]);

    // Assess
    expect(names).toEqual(['api.example.com A']);
    expect(route53).toReceiveNthCommandWith(ListResourceRecordSetProtectionsCommand, 2, {
      HostedZoneId: 'Z1',
      NextToken: 't2',
    });
  });

  it('says "unknown" when the endpoint answers 404 (moto does not implement the operation)', async () => {
    // Prepare: what the SDK throws for moto's HTML 404 page
    route53.on(ListResourceRecordSetProtectionsCommand).rejects(
      Object.assign(new Error('XML parse error\nDeserialization error'), {
        $metadata: { httpStatusCode: 404 },
      })
    );

    // Act
    const check = await router.checkProtections([ref]);
    const names = await router.listProtectedRecords([ref]);

    // Assess
    expect(check).toEqual({
      known: false,
      reason: expect.stringMatching(/not implemented by this endpoint \(XML parse error\)$/),
    });
    expect(names).toEqual([]);
  });

  it('re-throws a refusal such as AccessDenied (a missing IAM permission must surface)', async () => {
    // Prepare
    const denied = new Route53ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'no',
    });
    route53.on(ListResourceRecordSetProtectionsCommand).rejects(denied);

    // Act + Assess: surfaced under a name no retrier matches, keeping the SDK error as its cause
    const caught = await router.listProtectedRecords([ref]).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(Route53ChangeRejectedError);
    expect((caught as Error).cause).toBe(denied);
  });
});

describe('Function: isServerFault', () => {
  it.each([
    {
      name: 'a 503 from the service',
      error: { $fault: 'server', $metadata: { httpStatusCode: 503 } },
      fault: true,
    },
    {
      name: 'a 502 from a proxy without a fault tag',
      error: { $metadata: { httpStatusCode: 502 } },
      fault: true,
    },
    {
      name: 'a client error',
      error: { $fault: 'client', $metadata: { httpStatusCode: 400 } },
      fault: false,
    },
    { name: 'no metadata', error: new Error('x'), fault: false },
  ])('$name -> $fault', ({ error, fault }) => {
    // Act + Assess
    expect(isServerFault(error)).toBe(fault);
  });
});
