/**
 * The bench's DynamoDB request-unit count (bench/dynamodb-units.ts) against moto over HTTP with the real SDK
 * client: units follow the items' sizes and the operation, not a per-call constant.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDynamoDbUnits, itemBytes } from '../../../bench/dynamodb-units.ts';
import { clientConfig, type Moto, startMoto } from '../../support/moto.ts';

let moto: Moto;
let counted: DynamoDBClient;
let peek: DynamoDBClient;
let table = 0;

beforeAll(async () => {
  moto = await startMoto();
  counted = new DynamoDBClient(clientConfig(moto.endpoint));
  peek = new DynamoDBClient(clientConfig(moto.endpoint));
});

afterAll(async () => {
  counted?.destroy();
  peek?.destroy();
  await moto?.stop();
});

async function freshTable(): Promise<string> {
  table += 1;
  const name = `units-${table}`;
  await peek.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    })
  );
  return name;
}

describe('Function: itemBytes', () => {
  it('counts attribute names and values as DynamoDB sizes them', () => {
    // Assess: "pk" 2 + "abc" 3; "n" 1 + 12345 (5 digits: 3 + 1 = 4); "m" 1 + map 3 + ("x" 1 + 1 + true 1)
    expect(itemBytes({ pk: { S: 'abc' } })).toBe(5);
    expect(itemBytes({ n: { N: '12345' } })).toBe(5);
    expect(itemBytes({ m: { M: { x: { BOOL: true } } } })).toBe(7);
  });
});

describe('Function: countDynamoDbUnits (moto)', () => {
  it('reads by 4 KB, writes by 1 KB of the larger item, transactions twice', async () => {
    // Prepare
    const name = await freshTable();
    const fresh = new DynamoDBClient(clientConfig(moto.endpoint));
    const units = countDynamoDbUnits(fresh, peek, 'pk');
    const big = 'x'.repeat(2_500);

    // Act
    await fresh.send(
      new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } }, ConsistentRead: true })
    );
    await fresh.send(
      new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, v: { S: big } } })
    );
    await fresh.send(
      new UpdateItemCommand({
        TableName: name,
        Key: { pk: { S: 'a' } },
        UpdateExpression: 'SET w = :w',
        ExpressionAttributeValues: { ':w': { S: 'y' } },
        ReturnValues: 'ALL_NEW',
      })
    );
    await fresh.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: name, Item: { pk: { S: 'b' }, v: { S: 'small' } } } }],
      })
    );
    await fresh.send(
      new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } }, ConsistentRead: true })
    );
    fresh.destroy();

    // Assess: get (missing) 1 + get (2.5 KB) 1 RRU; put 3 + update 3 + transaction 2 x 1 WRU
    expect(units.readUnits).toBe(2);
    expect(units.writeUnits).toBe(3 + 3 + 2);
    expect(units.calls).toEqual({ GetItem: 2, PutItem: 1, UpdateItem: 1, TransactWriteItems: 1 });
  });
});
