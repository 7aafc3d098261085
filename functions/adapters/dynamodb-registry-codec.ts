/**
 * How a `MigrationEntry` and its lock items look in the registry table, and how DynamoDB errors map to ours
 * (the adapter's codec: no I/O).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { RegistryBusyError, RegistryConflictError, TrafficShiftError } from '../core/errors.ts';
import type { MigrationEntry } from '../core/registry.ts';
import { isBusy } from './sdk-faults.ts';

/** The partition key of the table; the template declares the same schema. */
export const REGISTRY_KEY_ATTRIBUTE = 'pk';
export const DEFAULT_REGISTRY_TABLE = 'traffic-shift-migrations';

export const entryKey = (migrationId: string) => `migration#${migrationId}`;
export const lockKey = (recordSetKey: string) => `lock#${recordSetKey}`;

/** Throttling and server-side failures: worth another try later. */
const BUSY_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'LimitExceededException',
  'TransactionInProgressException',
]);

/** Fields held as JSON strings (lists and objects; DynamoDB rejects empty sets and some empty values). */
export const JSON_FIELDS = [
  'runner',
  'recordSetKeys',
  'records',
  'snapshot',
  'expected',
  'pending',
] as const;
/** Optional JSON fields: written only when present, absent when never set (entries written before them). */
export const OPTIONAL_JSON_FIELDS = ['gate', 'control'] as const;
/** Whether an update's field is stored as a JSON string. */
export const isJsonField = (field: string) =>
  (JSON_FIELDS as readonly string[]).includes(field) ||
  (OPTIONAL_JSON_FIELDS as readonly string[]).includes(field);
const NUMBER_FIELDS = ['generation', 'version'] as const;
const STRING_FIELDS = [
  'migrationId',
  'phase',
  'executionArn',
  'stateMachineArn',
  'mode',
  'onDrift',
  'startedAt',
  'updatedAt',
] as const;

export type Item = Record<string, AttributeValue>;

/** The entry's operator control (JSON) and its revision (a number, so a write can compare it). */
export const CONTROL_ATTRIBUTE = 'control';
export const CONTROL_REVISION_ATTRIBUTE = 'controlRevision';

export function toItem(entry: MigrationEntry): Item {
  const item: Item = { [REGISTRY_KEY_ATTRIBUTE]: { S: entryKey(entry.migrationId) } };
  for (const field of STRING_FIELDS) item[field] = { S: entry[field] };
  for (const field of NUMBER_FIELDS) item[field] = { N: String(entry[field]) };
  for (const field of JSON_FIELDS) item[field] = { S: JSON.stringify(entry[field]) };
  for (const field of OPTIONAL_JSON_FIELDS)
    if (entry[field] !== undefined) item[field] = { S: JSON.stringify(entry[field]) };
  item['reason'] = entry.reason === null ? { NULL: true } : { S: entry.reason };
  // Operator control (core/control.ts): kept by a whole-item Put (finish), compared by its own revision.
  if (entry.control !== undefined) {
    item[CONTROL_ATTRIBUTE] = { S: JSON.stringify(entry.control) };
    item[CONTROL_REVISION_ATTRIBUTE] = { N: String(entry.control.revision) };
  }
  return item;
}

export function fromItem(item: Item): MigrationEntry {
  const text = (field: string) => item[field]?.S ?? '';
  const entry: Record<string, unknown> = {};
  for (const field of STRING_FIELDS) entry[field] = text(field);
  for (const field of NUMBER_FIELDS) entry[field] = Number(item[field]?.N ?? '0');
  for (const field of JSON_FIELDS) entry[field] = JSON.parse(text(field) || 'null');
  for (const field of OPTIONAL_JSON_FIELDS)
    if (item[field]?.S) entry[field] = JSON.parse(text(field));
  entry['reason'] = item['reason']?.S ?? null;
  const control = item[CONTROL_ATTRIBUTE]?.S;
  if (control !== undefined) entry['control'] = JSON.parse(control);
  return entry as unknown as MigrationEntry;
}

export function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

/** Cancellation reason codes of a TransactionCanceledException (empty when the service gave none). */
export function cancellationCodes(error: unknown): string[] {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] })?.CancellationReasons;
  if (Array.isArray(reasons)) return reasons.map((reason) => reason.Code ?? 'None');
  // The message lists them too: "Transaction cancelled, please refer cancellation reasons for specific
  // reasons [None, ConditionalCheckFailed]".
  const listed = /\[([^\]]*)\]/.exec((error as Error)?.message ?? '')?.[1];
  return listed === undefined ? [] : listed.split(',').map((code) => code.trim());
}

/** Maps an SDK error that is not a condition failure to ours; conditions are handled by each caller. */
export function mapped(error: unknown, what: string): Error {
  const name = errorName(error);
  const message = `migration registry ${what} failed: ${name}: ${(error as Error)?.message ?? String(error)}`;
  if (isBusy(error, BUSY_ERRORS)) return new RegistryBusyError(message, { cause: error });
  if (name === 'ConditionalCheckFailedException')
    return new RegistryConflictError(message, { cause: error });
  return new TrafficShiftError(message, { cause: error });
}
