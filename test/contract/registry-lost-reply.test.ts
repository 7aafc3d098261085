/**
 * A registry write whose reply is lost after DynamoDB applied it: the SDK re-sends it, and a conditional
 * UpdateItem then finds its own version already moved on. That is this writer's own change, not a rival's;
 * calling it a conflict turns a lost reply into a rollback of a healthy migration. Against moto over HTTP;
 * the lost reply is a middleware inside the SDK's retry loop (moto cannot drop a reply).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMigrationRegistry } from '../../functions/adapters/dynamodb-migration-registry.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { registryEntry, TEST_STATE_MACHINE as SM } from '../support/registry-entry.ts';

const EXECUTION = `${SM.replace(':stateMachine:', ':execution:')}:lost-reply`;

let moto: Moto;
let client: DynamoDBClient;
let loseNextReplyOf: string | null = null;

beforeAll(async () => {
  moto = await startMoto();
  client = new DynamoDBClient(clientConfig(moto.endpoint));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === loseNextReplyOf) {
        loseNextReplyOf = null;
        throw Object.assign(new Error('socket hang up after the write'), { name: 'TimeoutError' });
      }
      return out;
    },
    { step: 'deserialize', name: 'loseOneReply' }
  );
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

describe('DynamoDbMigrationRegistry: a lost reply is re-sent by the SDK', () => {
  it('update returns its own applied change instead of a RegistryConflictError', async () => {
    // Prepare
    const registry = new DynamoDbMigrationRegistry(client, 'migrations');
    await registry.createTableIfMissing();
    const acquired = await registry.acquire(registryEntry('lost-reply', EXECUTION));
    const pending = [
      { hostedZoneId: 'Z1', name: 'api.example.com', type: 'A', blueWeight: 90, greenWeight: 10 },
    ];
    loseNextReplyOf = 'UpdateItemCommand';

    // Act
    const updated = await registry.update('lost-reply', acquired, { pending });

    // Assess
    expect(loseNextReplyOf).toBeNull();
    expect(updated).toMatchObject({ version: acquired.version + 1, pending });
    expect(await registry.get('lost-reply')).toMatchObject({
      version: acquired.version + 1,
      pending,
    });
  });
});
