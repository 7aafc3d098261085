/**
 * Seeds a hosted zone for a rehearsal: one alias pair pointing at two load balancers, one plain pair,
 * both 100 % blue, as an App Mesh team would have them before the migration. With `edge` (seed-edge.ts) the
 * aliases point at those seeded ALBs; without, at load balancer names that exist nowhere.
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { RecordRef } from '../functions/core/input.ts';
import type { SeededEdge } from './seed-edge.ts';

export interface SeededZone {
  hostedZoneId: string;
  records: RecordRef[];
}

/** Creates `example.com` with `api` (alias to two ALBs) and `www` (plain A, TTL 60) weighted pairs. */
export async function seedRehearsalZone(
  route53: Route53Client,
  domain = 'example.com',
  edge?: SeededEdge
): Promise<SeededZone> {
  const zone = await route53.send(
    new CreateHostedZoneCommand({
      Name: domain,
      CallerReference: `rehearsal-${Date.now()}-${Math.random()}`,
    })
  );
  const hostedZoneId = (zone.HostedZone?.Id ?? '').replace('/hostedzone/', '');
  const albZoneId = 'Z35SXDOTRQ7X7K'; // ELB's hosted zone in us-east-1
  const aliasTarget = (side: 'blue' | 'green', unseeded: string) =>
    edge?.[side].aliasTarget ?? {
      HostedZoneId: albZoneId,
      DNSName: unseeded,
      EvaluateTargetHealth: true,
    };
  // SetIdentifiers differ across names: moto deletes by SetIdentifier across names (local-aws.md §3.3).
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: `api.${domain}`,
              Type: 'A',
              SetIdentifier: 'api-blue-appmesh',
              Weight: 255,
              AliasTarget: aliasTarget('blue', 'blue-appmesh-123.us-east-1.elb.amazonaws.com'),
            },
          },
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: `api.${domain}`,
              Type: 'A',
              SetIdentifier: 'api-green-serviceconnect',
              Weight: 0,
              AliasTarget: aliasTarget('green', 'green-sc-456.us-east-1.elb.amazonaws.com'),
            },
          },
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: `www.${domain}`,
              Type: 'A',
              SetIdentifier: 'www-blue-appmesh',
              Weight: 100,
              TTL: 60,
              ResourceRecords: [{ Value: '192.0.2.10' }],
            },
          },
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: `www.${domain}`,
              Type: 'A',
              SetIdentifier: 'www-green-serviceconnect',
              Weight: 0,
              TTL: 60,
              ResourceRecords: [{ Value: '198.51.100.20' }],
            },
          },
        ],
      },
    })
  );
  return {
    hostedZoneId,
    records: [
      {
        hostedZoneId,
        name: `api.${domain}`,
        type: 'A',
        blueSetIdentifier: 'api-blue-appmesh',
        greenSetIdentifier: 'api-green-serviceconnect',
      },
      {
        hostedZoneId,
        name: `www.${domain}`,
        type: 'A',
        blueSetIdentifier: 'www-blue-appmesh',
        greenSetIdentifier: 'www-green-serviceconnect',
      },
    ],
  };
}
