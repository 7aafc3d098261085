/**
 * Seeds moto with the records a user's own input names, for `rehearse --input FILE`: one hosted zone per zone
 * id in the input (moto picks its own ids, so the input's ids are mapped onto them), and for each pair a blue
 * record at full weight and a green one at 0, with the input's names, types and set identifiers. A and AAAA
 * pairs are aliases to two load balancers (what an App Mesh / Service Connect front usually is: with `edge`,
 * the ALBs seed-edge.ts created, one per environment); other types are plain records with a TTL within
 * `dns.maxTtlSeconds`, so preflight judges them as it would on AWS.
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { MigrationInput, RecordRef } from '../functions/core/input.ts';
import type { SeededEdge } from './seed-edge.ts';

/** Types `rehearse --input` can seed with a plausible value; preflight handles every weighted type. */
export const SEEDABLE_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV'] as const;
const ALB_ZONE_ID = 'Z35SXDOTRQ7X7K'; // ELB's hosted zone in us-east-1

/** Whether `rehearse --input` seeds a record of this type as an alias to a load balancer. */
export function seedsAsAlias(type: string): boolean {
  return type === 'A' || type === 'AAAA';
}

export interface InputZoneSeed {
  /** The input's zone id -> the seeded moto zone id. */
  zoneIds: Map<string, string>;
  /** The input's records, on the seeded zones. */
  records: RecordRef[];
  /** What was seeded, one line a pair, for the progress output. */
  lines: string[];
}

/** The zone a set of names lives in: their longest common label suffix (a single name: its parent). */
export function zoneNameFor(names: readonly string[]): string {
  const split = names.map((name) => name.replace(/\.$/, '').split('.').reverse());
  const first = split[0] ?? [];
  let common = 0;
  while (common < first.length && split.every((labels) => labels[common] === first[common]))
    common++;
  if (names.length === 1 && common > 2) common -= 1;
  return first.slice(0, Math.max(common, 1)).reverse().join('.');
}

function plainValue(type: string, side: 'blue' | 'green', zone: string): string {
  switch (type) {
    case 'A':
      return side === 'blue' ? '192.0.2.10' : '198.51.100.20';
    case 'AAAA':
      return side === 'blue' ? '2001:db8::10' : '2001:db8::20';
    case 'CNAME':
      return `${side}.${zone}`;
    case 'TXT':
      return `"${side}"`;
    case 'MX':
      return `10 ${side}.${zone}`;
    default:
      return `1 1 443 ${side}.${zone}`;
  }
}

/** Which records of the input cannot be seeded, as `records[i].type: ...` rules; empty when all can. */
export function unseedableRecords(
  input: Pick<MigrationInput, 'records'>
): { path: string; rule: string }[] {
  return input.records.flatMap((record, index) =>
    (SEEDABLE_TYPES as readonly string[]).includes(record.type)
      ? []
      : [
          {
            path: `records[${index}].type`,
            rule: `rehearse --input seeds ${SEEDABLE_TYPES.join(', ')} pairs; ${record.type} cannot be rehearsed (plan and preflight still check it)`,
          },
        ]
  );
}

export async function seedInputZones(
  route53: Route53Client,
  input: Pick<MigrationInput, 'records' | 'dns'>,
  edge?: SeededEdge
): Promise<InputZoneSeed> {
  const zoneIds = new Map<string, string>();
  const lines: string[] = [];
  const ttl = Math.min(60, input.dns.maxTtlSeconds);
  for (const inputZoneId of new Set(input.records.map((record) => record.hostedZoneId))) {
    const inZone = input.records.filter((record) => record.hostedZoneId === inputZoneId);
    const domain = zoneNameFor(inZone.map((record) => record.name));
    const zone = await route53.send(
      new CreateHostedZoneCommand({
        Name: domain,
        CallerReference: `rehearsal-${inputZoneId}-${Date.now()}-${Math.random()}`,
      })
    );
    const seededId = (zone.HostedZone?.Id ?? '').replace('/hostedzone/', '');
    zoneIds.set(inputZoneId, seededId);
    const side = (record: RecordRef, which: 'blue' | 'green') => {
      const alias = seedsAsAlias(record.type);
      const identifier = which === 'blue' ? record.blueSetIdentifier : record.greenSetIdentifier;
      const weight = which === 'blue' ? (alias ? 255 : 100) : 0;
      return {
        Action: 'CREATE' as const,
        ResourceRecordSet: {
          Name: record.name,
          Type: record.type,
          SetIdentifier: identifier,
          Weight: weight,
          ...(alias
            ? {
                AliasTarget: edge?.[which].aliasTarget ?? {
                  HostedZoneId: ALB_ZONE_ID,
                  DNSName: `${which}-${identifier}.us-east-1.elb.amazonaws.com`.toLowerCase(),
                  EvaluateTargetHealth: true,
                },
              }
            : { TTL: ttl, ResourceRecords: [{ Value: plainValue(record.type, which, domain) }] }),
        },
      };
    };
    // One batch per zone, as the orchestrator writes them.
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: seededId,
        ChangeBatch: {
          Changes: inZone.flatMap((record) => [side(record, 'blue'), side(record, 'green')]),
        },
      })
    );
    for (const record of inZone) {
      const alias = seedsAsAlias(record.type);
      lines.push(
        `${record.name} ${record.type} (${alias ? 'alias to two load balancers' : `TTL ${ttl}`}) in ${domain} (input zone ${inputZoneId} -> ${seededId}): ${record.blueSetIdentifier} 100 % blue, ${record.greenSetIdentifier} 0`
      );
    }
  }
  return {
    zoneIds,
    records: input.records.map((record) => ({
      ...record,
      hostedZoneId: zoneIds.get(record.hostedZoneId) ?? record.hostedZoneId,
    })),
    lines,
  };
}
