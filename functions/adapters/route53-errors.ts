/** Route 53 SDK errors turned into the orchestrator's errors (literal names that ASL Retry/Catch match). */
import {
  Route53BusyError,
  Route53ChangeRejectedError,
  Route53NotFoundError,
} from '../core/errors.ts';
import { isBusy } from './sdk-faults.ts';

const BUSY_ERRORS = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete']);
export const NOT_FOUND_ERRORS = new Set(['NoSuchHostedZone', 'NoSuchChange', 'NoSuchHealthCheck']);

export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * Translates Route 53 errors into the orchestrator's errors; anything else is returned unchanged.
 * The SDK has already retried the busy errors (its default strategy classes them as throttling).
 */
export function translate(error: unknown, context: string): unknown {
  const name = errorName(error);
  if (name === undefined) return error;
  const message = (error as Error).message;
  if (isBusy(error, BUSY_ERRORS)) {
    return new Route53BusyError(
      `${context}: Route 53 is busy (${name}) after the SDK's retries; retry later`,
      { cause: error }
    );
  }
  if (name === 'InvalidChangeBatch') {
    const messages = (error as { messages?: string[] }).messages ?? [];
    const detail = messages.length > 0 ? messages.join('; ') : message;
    return new Route53ChangeRejectedError(
      `${context}: Route 53 rejected the change batch: ${detail}. Check for a record-set protection ` +
        'on these names (ListResourceRecordSetProtections) and that the records still exist as read',
      { cause: error }
    );
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    // Cannot succeed on a retry: the role lacks the permission (or an IAM condition refuses these names).
    return new Route53ChangeRejectedError(
      `${context}: Route 53 refused access (${name}): ${message}`,
      {
        cause: error,
      }
    );
  }
  if (name === 'InvalidInput') {
    return new Route53ChangeRejectedError(
      `${context}: Route 53 rejected the request as invalid: ${message}. Fix the record definition ` +
        '(an alias record takes no TTL; a weighted record needs SetIdentifier and Weight)',
      { cause: error }
    );
  }
  if (NOT_FOUND_ERRORS.has(name)) {
    return new Route53NotFoundError(`${context}: ${name}: ${message}`, { cause: error });
  }
  return error;
}

/**
 * Whether an error means "this endpoint does not implement the operation" rather than a real refusal:
 * moto 5.2.1 answers ListResourceRecordSetProtections with a 404 HTML page, which the SDK reports
 * as a deserialization error carrying `$metadata.httpStatusCode: 404`.
 */
export function isNotImplemented(error: unknown): boolean {
  const name = errorName(error);
  // A modelled 404 (NoSuchHostedZone) is a real answer about the zone, never "not implemented".
  if (name === undefined || NOT_FOUND_ERRORS.has(name)) return false;
  if (
    name === 'NotImplemented' ||
    name === 'NotImplementedException' ||
    name === 'UnknownOperationException'
  ) {
    return true;
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return status === 404 || status === 501;
}
