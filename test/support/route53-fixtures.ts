/**
 * Seeds hosted zones and blue/green weighted pairs in moto for the contract tests (and the rehearsal).
 * Every SetIdentifier is unique across record names: moto 5.2.1 deletes by SetIdentifier alone
 * (local-aws.md §3.3, bug 2). Names are lower case: moto stores names case-sensitively.
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  CreateHostedZoneCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { RecordRef } from '../../functions/core/input.ts';

/** The canonical hosted zone of us-east-1 Application Load Balancers (alias targets). */
export const ELB_ZONE_ID = 'Z35SXDOTRQ7X7K';

let sequence = 0;
function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${sequence}`;
}

/** Creates a hosted zone and returns its bare ID (no `/hostedzone/`). */
export async function createZone(client: Route53Client, zoneName: string): Promise<string> {
  const out = await client.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: unique('zone') })
  );
  return out.HostedZone!.Id!.replace(/^\/hostedzone\//, '');
}

/** Creates an HTTP health check (moto stores it; nothing probes it). */
export async function createHealthCheck(client: Route53Client, fqdn: string): Promise<string> {
  const out = await client.send(
    new CreateHealthCheckCommand({
      CallerReference: unique('health'),
      HealthCheckConfig: {
        Type: 'HTTP',
        FullyQualifiedDomainName: fqdn,
        Port: 80,
        ResourcePath: '/health',
      },
    })
  );
  return out.HealthCheck!.Id!;
}

/** CREATEs the records in one batch. */
export async function createRecords(
  client: Route53Client,
  zoneId: string,
  records: ResourceRecordSet[]
): Promise<void> {
  await client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: records.map((record) => ({ Action: 'CREATE', ResourceRecordSet: record })),
      },
    })
  );
}

export interface PlainPairOptions {
  /** Record name, lower case, without trailing dot. */
  name: string;
  blueWeight?: number;
  greenWeight?: number;
  ttl?: number;
  blueIp?: string;
  greenIp?: string;
  /** A health check ID for the blue record. */
  blueHealthCheckId?: string;
}

/**
 * Seeds a plain weighted A pair (TTL 60 by default, one IP each).
 *
 * @example
 * const ref = await seedPlainPair(route53, zoneId, { name: 'api.example.com' });
 */
export async function seedPlainPair(
  client: Route53Client,
  zoneId: string,
  options: PlainPairOptions
): Promise<RecordRef> {
  const ttl = options.ttl ?? 60;
  const ref: RecordRef = {
    hostedZoneId: zoneId,
    name: options.name,
    type: 'A',
    blueSetIdentifier: unique(`${options.name}-blue`),
    greenSetIdentifier: unique(`${options.name}-green`),
  };
  await createRecords(client, zoneId, [
    {
      Name: options.name,
      Type: 'A',
      SetIdentifier: ref.blueSetIdentifier,
      Weight: options.blueWeight ?? 100,
      TTL: ttl,
      ResourceRecords: [{ Value: options.blueIp ?? '10.0.0.1' }],
      ...(options.blueHealthCheckId ? { HealthCheckId: options.blueHealthCheckId } : {}),
    },
    {
      Name: options.name,
      Type: 'A',
      SetIdentifier: ref.greenSetIdentifier,
      Weight: options.greenWeight ?? 0,
      TTL: ttl,
      ResourceRecords: [{ Value: options.greenIp ?? '10.0.0.2' }],
    },
  ]);
  return ref;
}

export interface AliasPairOptions {
  name: string;
  blueWeight?: number;
  greenWeight?: number;
  blueDnsName?: string;
  greenDnsName?: string;
}

/**
 * Seeds a weighted alias A pair pointing at two load balancers, with EvaluateTargetHealth on blue only.
 *
 * @example
 * const ref = await seedAliasPair(route53, zoneId, { name: 'www.example.com' });
 */
export async function seedAliasPair(
  client: Route53Client,
  zoneId: string,
  options: AliasPairOptions
): Promise<RecordRef> {
  const ref: RecordRef = {
    hostedZoneId: zoneId,
    name: options.name,
    type: 'A',
    blueSetIdentifier: unique(`${options.name}-blue`),
    greenSetIdentifier: unique(`${options.name}-green`),
  };
  await createRecords(client, zoneId, [
    {
      Name: options.name,
      Type: 'A',
      SetIdentifier: ref.blueSetIdentifier,
      Weight: options.blueWeight ?? 255,
      AliasTarget: {
        HostedZoneId: ELB_ZONE_ID,
        DNSName: options.blueDnsName ?? 'blue-alb-123456.us-east-1.elb.amazonaws.com.',
        EvaluateTargetHealth: true,
      },
    },
    {
      Name: options.name,
      Type: 'A',
      SetIdentifier: ref.greenSetIdentifier,
      Weight: options.greenWeight ?? 0,
      AliasTarget: {
        HostedZoneId: ELB_ZONE_ID,
        DNSName: options.greenDnsName ?? 'green-alb-654321.us-east-1.elb.amazonaws.com.',
        EvaluateTargetHealth: false,
      },
    },
  ]);
  return ref;
}

/** A simple (non-weighted) record under a name, for the "not weighted" preflight path. */
export async function seedSimpleRecord(
  client: Route53Client,
  zoneId: string,
  name: string,
  type: 'A' | 'TXT' = 'A'
): Promise<void> {
  await createRecords(client, zoneId, [
    {
      Name: name,
      Type: type,
      TTL: 60,
      ResourceRecords: [{ Value: type === 'A' ? '10.0.0.9' : '"x"' }],
    },
  ]);
}

/** A weighted A record with TTL 60 and one value; `extra` overrides any of it (an alias: TTL and values undefined). */
export function weightedRecord(
  name: string,
  setIdentifier: string,
  weight: number,
  extra: Partial<ResourceRecordSet> = {}
): ResourceRecordSet {
  return {
    Name: name,
    Type: 'A',
    SetIdentifier: setIdentifier,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: '10.0.0.1' }],
    ...extra,
  };
}
