/**
 * Issue 10 items 1 and 2 end to end: the real ASL with the real handlers on moto migrates a wildcard pair
 * (`*.example.com` in the input, listed as `\052.example.com.` as AWS lists it: moto keeps names verbatim,
 * so the fixture writes the escaped form) together with an alias pair whose blue side points through a
 * same-zone alias chain at a record with TTL 900. The run must find both, finish at 100 % green, and judge
 * its first window only 900 s after INSYNC, not the 60 s assumed for every alias before.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import type { RecordRef } from '../../functions/core/input.ts';
import type { RunState } from '../../functions/core/state.ts';
import {
  currentWeights,
  makeEngine,
  motoClients,
  motoPerFile,
  resetMoto,
  SyntheticMetricSource,
  shortPlanInput,
} from '../support/robustness-kit.ts';
import { createRecords, createZone, weightedRecord } from '../support/route53-fixtures.ts';

const weighted = weightedRecord;

const moto = motoPerFile();
const ORIGIN_TTL = 900;

describe('A wildcard pair and a same-zone alias chain, end to end', () => {
  it(`finds *.example.com, shifts both to 100 %, and waits the chain's ${ORIGIN_TTL} s TTL before judging`, async () => {
    // Prepare
    await resetMoto(moto.endpoint);
    const { route53 } = motoClients(moto.endpoint);
    const zoneId = await createZone(route53, 'example.com');
    const create = (records: ResourceRecordSet[]) => createRecords(route53, zoneId, records);
    await create([
      // The plain pair serves 60 s, so the run's 900 s can only come from the alias chain.
      weighted('\\052.example.com', 'wild-blue', 100, { TTL: 60 }),
      weighted('\\052.example.com', 'wild-green', 0, {
        TTL: 60,
        ResourceRecords: [{ Value: '10.0.0.2' }],
      }),
      {
        Name: 'origin.example.com',
        Type: 'A',
        TTL: ORIGIN_TTL,
        ResourceRecords: [{ Value: '10.0.0.9' }],
      },
    ]);
    await create([
      {
        Name: 'hop.example.com',
        Type: 'A',
        AliasTarget: {
          HostedZoneId: zoneId,
          DNSName: 'origin.example.com.',
          EvaluateTargetHealth: false,
        },
      },
    ]);
    const alias = (dnsName: string, zone: string) => ({
      TTL: undefined,
      ResourceRecords: undefined,
      AliasTarget: { HostedZoneId: zone, DNSName: dnsName, EvaluateTargetHealth: false },
    });
    // Blue resolves through two hops (hop -> origin), green through one: both serve origin's 900 s.
    await create([
      weighted('app.example.com', 'app-blue', 255, alias('hop.example.com.', zoneId)),
      weighted('app.example.com', 'app-green', 0, alias('origin.example.com.', zoneId)),
    ]);
    const records: RecordRef[] = [
      {
        hostedZoneId: zoneId,
        name: '*.example.com',
        type: 'A',
        blueSetIdentifier: 'wild-blue',
        greenSetIdentifier: 'wild-green',
      },
      {
        hostedZoneId: zoneId,
        name: 'app.example.com',
        type: 'A',
        blueSetIdentifier: 'app-blue',
        greenSetIdentifier: 'app-green',
      },
    ];
    const firstEvaluation: RunState[] = [];
    const router = new Route53TrafficRouter(route53);
    const { engine } = makeEngine({
      endpoint: moto.endpoint,
      metrics: new SyntheticMetricSource(),
      beforeTask: ({ state, payload }) => {
        if (state === 'EvaluateMetrics' && firstEvaluation.length === 0) {
          firstEvaluation.push(payload as RunState);
        }
      },
    });

    // Act
    const input = shortPlanInput(records, {
      dns: { maxTtlSeconds: ORIGIN_TTL, syncPollSeconds: 60, maxSyncWaitSeconds: 900 },
    });
    const { executionArn } = engine.start(input, 'wildcard-alias-chain');
    const [end] = await engine.endOfChain(executionArn);

    // Assess
    expect(`${end?.status} ${end?.error} ${end?.cause}`).toMatch(/^SUCCEEDED/);
    expect(await currentWeights(router, records)).toEqual([
      { name: '\\052.example.com', blue: 0, green: 100 },
      { name: 'app.example.com', blue: 0, green: 255 },
    ]);
    const status = firstEvaluation[0]?.status;
    expect(status?.syncedAt).toEqual(expect.any(String));
    const waitedSeconds =
      (Date.parse(status!.judgingFrom!) - Date.parse(status!.syncedAt!)) / 1_000;
    expect(waitedSeconds).toBe(ORIGIN_TTL);
  });
});
