/** Record-set protections (ListResourceRecordSetProtections): a protected record blocks shift and rollback alike. */
import {
  ListResourceRecordSetProtectionsCommand,
  type ListResourceRecordSetProtectionsCommandOutput,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { Route53BusyError } from '../core/errors.ts';
import type { RecordRef } from '../core/input.ts';
import { canonicalRecordName, displayRecordName } from '../core/names.ts';
import { isNotImplemented, translate } from './route53-errors.ts';
import { byZone } from './route53-record-sets.ts';

/** Protections are listed per hosted zone; a zone with more than this many pages is not plausible. */
const MAX_PROTECTION_PAGES = 100;

/**
 * Whether record-set protections could be read. `known: false` when the endpoint does not implement
 * `ListResourceRecordSetProtections` (moto 5.2.1 answers 404 with an HTML page).
 */
export type ProtectionCheck = { known: true; records: string[] } | { known: false; reason: string };

/**
 * Like {@link listProtectedRecords}, but says when the endpoint does not implement
 * `ListResourceRecordSetProtections` (moto 5.2.1: HTTP 404), so a caller can report "unknown".
 */
export async function checkProtections(
  client: Route53Client,
  refs: readonly RecordRef[]
): Promise<ProtectionCheck> {
  const records: string[] = [];
  for (const [zoneId, group] of byZone(refs, (ref) => ref.hostedZoneId)) {
    let protections: { name: string; type: string }[];
    try {
      protections = await listProtections(client, zoneId);
    } catch (error) {
      if (isNotImplemented(error)) {
        return {
          known: false,
          reason: `ListResourceRecordSetProtections is not implemented by this endpoint (${(error as Error).message.split('\n')[0]})`,
        };
      }
      throw translate(error, `ListResourceRecordSetProtections ${zoneId}`);
    }
    for (const ref of group) {
      const name = canonicalRecordName(ref.name);
      if (
        protections.some((protection) => protection.name === name && protection.type === ref.type)
      ) {
        records.push(`${displayRecordName(name)} ${ref.type}`);
      }
    }
  }
  return { known: true, records };
}

async function listProtections(
  client: Route53Client,
  zoneId: string
): Promise<{ name: string; type: string }[]> {
  const found: { name: string; type: string }[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PROTECTION_PAGES; page++) {
    const out: ListResourceRecordSetProtectionsCommandOutput = await client.send(
      new ListResourceRecordSetProtectionsCommand({
        HostedZoneId: zoneId,
        ...(nextToken ? { NextToken: nextToken } : {}),
      })
    );
    for (const protection of out.ResourceRecordSetProtections ?? []) {
      found.push({
        name: canonicalRecordName(protection.RecordName ?? ''),
        type: protection.RecordType ?? '',
      });
    }
    nextToken = out.NextToken;
    if (!nextToken) return found;
  }
  throw new Route53BusyError(
    `ListResourceRecordSetProtections ${zoneId}: more than ${MAX_PROTECTION_PAGES} pages; giving up`
  );
}
