/**
 * The migration registry's DynamoDB request units, counted from the calls the handlers make (a middleware on
 * the engine's DynamoDB client), priced on demand:
 * - GetItem: 1 read unit per 4 KB of the item returned (0.5 eventually consistent), at least one (a missing item
 *   is read all the same); Scan: the bytes of the items returned, per 4 KB;
 * - PutItem, UpdateItem, DeleteItem: 1 write unit per KB of the larger of the item before and after;
 * - TransactWriteItems: 2 write units per KB of each item it names (ConditionCheck counted like a write:
 *   an upper bound), sizes from the items as read back after the call with a separate, uncounted client;
 * - DescribeTable, CreateTable (control plane): no request units.
 * Item sizes follow DynamoDB's rule (attribute names plus values; numbers ~1 byte per 2 digits + 1).
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbUnits {
  calls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\./g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS !== undefined)
    return value.NS.reduce((sum, n) => sum + Math.ceil(n.length / 2) + 1, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  if (value.M !== undefined)
    return (
      3 +
      Object.entries(value.M).reduce(
        (sum, [name, v]) => sum + 1 + Buffer.byteLength(name) + valueBytes(v),
        0
      )
    );
  return 0;
}

/** An item's size as DynamoDB bills it: every attribute's name and value. */
export function itemBytes(item: Record<string, AttributeValue> | undefined): number {
  if (item === undefined) return 0;
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value),
    0
  );
}

type Item = Record<string, AttributeValue>;

/**
 * Counts the request units of every call `client` sends from now on, on a table keyed by `keyAttribute` alone;
 * `peek` (a client on the same endpoint, not counted) reads items back after a transaction for their new size.
 */
export function countDynamoDbUnits(
  client: DynamoDBClient,
  peek: DynamoDBClient,
  keyAttribute: string
): DynamoDbUnits {
  const units: DynamoDbUnits = { calls: {}, readUnits: 0, writeUnits: 0 };
  /** Last known size of each item, by table and key value. */
  const sizes = new Map<string, number>();
  const id = (table: unknown, key: Item | undefined) =>
    JSON.stringify([table, key?.[keyAttribute] ?? null]);
  const remember = (table: unknown, item: Item | undefined) => {
    if (item !== undefined) sizes.set(id(table, item), itemBytes(item));
  };
  const sizeOf = (table: unknown, key: Item | undefined) => sizes.get(id(table, key)) ?? 0;
  const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
  const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      units.calls[operation] = (units.calls[operation] ?? 0) + 1;
      const input = args.input as Record<string, unknown>;
      const table = input['TableName'];
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        // A failed condition still consumes the write (or read) it was checked for.
        if (operation === 'GetItem') units.readUnits += 1;
        else if (operation === 'TransactWriteItems')
          units.writeUnits += 2 * ((input['TransactItems'] as unknown[] | undefined)?.length ?? 1);
        else if (/Item$/.test(operation))
          units.writeUnits += writeUnits(sizeOf(table, input['Key'] as Item | undefined));
        throw error;
      }
      const output = result.output as unknown as Record<string, unknown>;
      const consistency = input['ConsistentRead'] === true ? 1 : 0.5;
      if (operation === 'GetItem') {
        const item = output['Item'] as Item | undefined;
        remember(table, item);
        units.readUnits += readUnits(itemBytes(item)) * consistency;
      } else if (operation === 'Scan' || operation === 'Query') {
        const items = (output['Items'] as Item[] | undefined) ?? [];
        for (const item of items) remember(table, item);
        const bytes = items.reduce((sum, item) => sum + itemBytes(item), 0);
        units.readUnits += readUnits(bytes) * consistency;
      } else if (operation === 'PutItem') {
        const item = input['Item'] as Item | undefined;
        const before = sizeOf(table, item);
        remember(table, item);
        units.writeUnits += writeUnits(Math.max(before, itemBytes(item)));
      } else if (operation === 'UpdateItem' || operation === 'DeleteItem') {
        const key = input['Key'] as Item | undefined;
        const before = sizeOf(table, key);
        const after = output['Attributes'] as Item | undefined;
        if (operation === 'UpdateItem') remember(table, after);
        units.writeUnits += writeUnits(Math.max(before, itemBytes(after)));
      } else if (operation === 'TransactWriteItems') {
        const actions = (input['TransactItems'] as Record<string, Record<string, unknown>>[]) ?? [];
        for (const action of actions) {
          const [kind, detail] = Object.entries(action)[0] ?? [];
          if (detail === undefined) continue;
          const actionTable = detail['TableName'];
          const key = (detail['Key'] ?? detail['Item']) as Item | undefined;
          const before = sizeOf(actionTable, key);
          let after = before;
          if (kind === 'Put') {
            after = itemBytes(detail['Item'] as Item);
            remember(actionTable, detail['Item'] as Item);
          } else if (kind === 'Update' && key !== undefined) {
            const read = await peek.send(
              new GetItemCommand({
                TableName: actionTable as string,
                Key: { [keyAttribute]: key[keyAttribute] as AttributeValue },
                ConsistentRead: true,
              })
            );
            after = itemBytes(read.Item);
            remember(actionTable, read.Item);
          }
          units.writeUnits += 2 * writeUnits(Math.max(before, after));
        }
      }
      return result;
    },
    { step: 'initialize', name: 'benchDynamoDbUnits' }
  );
  return units;
}
