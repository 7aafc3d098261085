/** The registry entry and weights the ownership tests share: one running `api.example.com A` pair in Z1. */
import type { MigrationEntry } from '../../../functions/core/registry.ts';
import type { PairWeights } from '../../../functions/core/types.ts';
import { pairWith } from './fixtures.ts';

/** The execution that owns `entryWith()`. */
export const ARN = 'arn:aws:states:us-east-1:123456789012:execution:ts:self';

export const weights = (
  blue: number,
  green: number,
  hostedZoneId = 'Z1',
  name = 'api.example.com'
): PairWeights => ({ hostedZoneId, name, type: 'A', blueWeight: blue, greenWeight: green });

/** A running entry owned by ARN: snapshot 100/0, expected 90/10, version 3. */
export function entryWith(overrides: Partial<MigrationEntry> = {}): MigrationEntry {
  return {
    migrationId: 'orders',
    phase: 'running',
    executionArn: ARN,
    stateMachineArn: 'sm',
    runner: { kind: 'step-functions' },
    generation: 1,
    recordSetKeys: ['Z1 api.example.com A'],
    records: [],
    mode: 'shift',
    onDrift: 'stop',
    snapshot: [pairWith({ blue: 100, green: 0 })],
    expected: [weights(90, 10)],
    pending: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    reason: null,
    version: 3,
    ...overrides,
  };
}
