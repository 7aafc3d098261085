/**
 * Approval gates end to end in the rehearsal (scenario `gated`): the real ASL in aws-local-stepfunctions with
 * task tokens played by the local engine, the real handlers, moto's Route 53, CloudWatch and DynamoDB (the
 * registry, where the gate and its answers live), and the closed-loop traffic model.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor, runRehearsal } from '../../cli/rehearsal.ts';
import { SCENARIOS } from '../../cli/scenarios.ts';
import { DynamoDbMigrationRegistry } from '../../functions/adapters/dynamodb-migration-registry.ts';
import { type Moto, resetMoto, startMoto } from '../support/moto.ts';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});
beforeEach(async () => {
  await resetMoto(moto.endpoint);
});

describe('Scenario gated (local engine with task tokens + real handlers + moto)', () => {
  it('approves the gate before 25 % at its scripted time and rolls back when the gate before 100 % times out unanswered', async () => {
    // Act
    const messages: { at: string; message: string }[] = [];
    const report = await runRehearsal({
      scenario: SCENARIOS.gated,
      endpoint: moto.endpoint,
      onProgress: (event) => messages.push({ at: event.at, message: event.message }),
    });

    // Assess
    const registry = new DynamoDbMigrationRegistry(
      clientsFor(moto.endpoint).dynamodb,
      'traffic-shift-migrations'
    );
    const entry = await registry.get('rehearsal-gated');
    expect(report.outcome).toBe('rolled-back');
    expect(report.exitCode).toBe(2);
    expect(report.reason).toMatch(
      /^GateTimedOutError: gate before 100% unanswered since .* default action rollback/
    );
    expect(report.atSnapshot).toBe(true);
    expect(entry?.phase).toBe('rolled-back');
    expect(entry?.control?.audit).toEqual([
      expect.objectContaining({
        by: 'rehearsal-operator@example',
        action: 'approve',
        step: 25,
        reason: 'canary at 5 % looks fine',
      }),
      expect.objectContaining({ by: 'traffic-shift', action: 'gate-timeout', step: 100 }),
    ]);
    // The gate before 25 % opened, and 20 minutes later (scripted) the run shifted to 25 %.
    const at = (pattern: RegExp) => messages.find((line) => pattern.test(line.message))?.at ?? '';
    const opened25 = Date.parse(at(/^approval gate before 25%/));
    const shifted25 = Date.parse(at(/^shifted to 25% green/));
    expect(shifted25 - opened25).toBe(20 * 60_000);
    // The gate before 100 % waited its whole 30 minutes, judging every minute, and 100 % was never reached.
    const opened100 = Date.parse(at(/^approval gate before 100%/));
    const judgedWhileWaiting = report.timeline.filter(
      (point) => Date.parse(point.at) > opened100 && point.action === 'gate'
    );
    expect(judgedWhileWaiting.length).toBeGreaterThanOrEqual(29);
    expect(report.markers.filter((marker) => marker.kind === 'shift').map((m) => m.label)).toEqual([
      '1%',
      '5%',
      '25%',
      '50%',
    ]);
  }, 120_000);
});
