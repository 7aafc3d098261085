/** A running migration waiting at an open approval gate before 50 %, for the gate-answer tests. */
import type { GateResult, GateState, TaskTokens } from '../../functions/core/gates.ts';
import { MigrationPhase } from '../../functions/core/registry.ts';
import { FakeRegistry } from './fake-ports.ts';
import { registryEntry } from './registry-entry.ts';

export const GATE_EXECUTION_ARN =
  'arn:aws:states:us-east-1:123456789012:execution:traffic-shift:orders';

/** Records which task tokens were answered, and how (ok: SendTaskSuccess, else SendTaskFailure). */
export class RecordedTokens implements TaskTokens {
  sent: { token: string; ok: boolean }[] = [];
  async succeed(taskToken: string, _output: GateResult): Promise<void> {
    this.sent.push({ token: taskToken, ok: true });
  }
  async fail(taskToken: string): Promise<void> {
    this.sent.push({ token: taskToken, ok: false });
  }
}

/** Migration `orders`, running at version 3, its gate opened at 10:00 with the live token `live-token`. */
export function registryWithOpenGate(timeoutAt = '2026-01-02T10:00:00.000Z'): FakeRegistry {
  const gate: GateState = {
    step: 50,
    openedAt: '2026-01-01T10:00:00.000Z',
    timeoutAt,
    defaultAction: 'rollback',
    taskToken: 'live-token',
    executionArn: GATE_EXECUTION_ARN,
    answer: null,
    closedAt: null,
  };
  const registry = new FakeRegistry();
  registry.entries.set(
    'orders',
    registryEntry('orders', GATE_EXECUTION_ARN, 'Z1', {
      phase: MigrationPhase.Running,
      version: 3,
      gate,
    })
  );
  return registry;
}
