/** A registry entry for tests: one `<name> A` pair in `hostedZoneId`, phase preflight unless overridden. */
import { recordSetKey } from '../../functions/core/names.ts';
import { type MigrationEntry, MigrationPhase } from '../../functions/core/registry.ts';

export const TEST_STATE_MACHINE =
  'arn:aws:states:us-east-1:123456789012:stateMachine:traffic-shift';

export function registryEntry(
  migrationId: string,
  executionArn: string,
  hostedZoneId = 'Z1',
  overrides: Partial<MigrationEntry> = {},
  name = 'api.example.com'
): MigrationEntry {
  const ref = {
    hostedZoneId,
    name,
    type: 'A' as const,
    blueSetIdentifier: 'blue',
    greenSetIdentifier: 'green',
  };
  return {
    migrationId,
    phase: MigrationPhase.Preflight,
    executionArn,
    stateMachineArn: TEST_STATE_MACHINE,
    runner: { kind: 'step-functions' },
    generation: 1,
    recordSetKeys: [recordSetKey(ref)],
    records: [ref],
    mode: 'shift',
    onDrift: 'stop',
    snapshot: [],
    expected: [],
    pending: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    reason: null,
    version: 0,
    ...overrides,
  };
}
