/**
 * The keys every log line of an invocation carries, read from whatever the event is: a RunState
 * (`input.migrationId`, `run.executionArn`), Preflight's `{ input, executionArn }`, or an EventBridge
 * execution status change (`detail.executionArn`). Reads only; a missing or odd field is left out.
 */
export interface LogKeys {
  migrationId?: string;
  executionArn?: string;
}

export function logKeysOf(event: unknown): LogKeys {
  const keys: LogKeys = {};
  const migrationId = stringAt(event, 'input', 'migrationId');
  const executionArn =
    stringAt(event, 'run', 'executionArn') ??
    stringAt(event, 'executionArn') ??
    stringAt(event, 'detail', 'executionArn');
  if (migrationId !== undefined) keys.migrationId = migrationId;
  if (executionArn !== undefined) keys.executionArn = executionArn;
  return keys;
}

function stringAt(value: unknown, ...path: string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' && current !== '' ? current : undefined;
}
