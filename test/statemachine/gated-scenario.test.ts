/**
 * Approval gates end to end in the rehearsal (scenario `gated`): the real ASL in aws-local-stepfunctions with
 * task tokens played by the local engine, the real handlers, moto's Route 53, CloudWatch and DynamoDB (the
 * registry, where the gate and its answers live), and the closed-loop traffic model.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbMigrationRegistry } from '../../functions/adapters/dynamodb-migration-registry.ts';
import { clientsFor, runRehearsal } from '../../cli/rehearsal.ts';
import { SCENARIOS } from '../../cli/scenarios.ts';
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
    console.log(
      JSON.stringify(
        {
          outcome: report.outcome,
          reason: report.reason,
          gate: entry?.gate,
          audit: entry?.control?.audit,
        },
        null,
        1
      )
    );
    for (const m of messages) console.log(m.at, m.message.slice(0, 160));
    expect(report.outcome).toBe('rolled-back');
  }, 120_000);
});
