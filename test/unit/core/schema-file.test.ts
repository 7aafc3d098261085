import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { parseMigrationInput } from '../../../functions/core/input.ts';
import { expandSteps } from '../../../functions/core/plan.ts';
import { renderMigrationInputSchema, SCHEMA_PATH } from '../../../scripts/export-schema.ts';

const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));
const examples = readdirSync(EXAMPLES_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({
    file,
    json: JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as unknown,
  }));
const committed = readFileSync(SCHEMA_PATH, 'utf8');
const jsonSchema = z.fromJSONSchema(JSON.parse(committed));

describe('schema/migration-input.schema.json', () => {
  it('equals a fresh export (run `node scripts/export-schema.ts` after changing input.ts)', () => {
    // Act + Assess
    expect(committed).toBe(renderMigrationInputSchema());
  });

  it('names itself and describes the input', () => {
    // Act
    const schema = JSON.parse(committed) as Record<string, unknown>;

    // Assess
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'traffic-shift migration input',
      type: 'object',
      additionalProperties: false,
      required: ['migrationId', 'records', 'plan', 'metrics'],
    });
    expect(schema['description']).toEqual(expect.stringContaining('Service Connect'));
  });

  it('describes every field of every section (editors show it on hover), and allows a $schema pointer', () => {
    // Prepare
    type Node = { description?: string; properties?: Record<string, Node>; items?: Node };
    const schema = JSON.parse(committed) as Node;
    const undescribed: string[] = [];
    const walk = (node: Node, path: string) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) undescribed.push(`${path}${key}`);
        if (child.properties) walk(child, `${path}${key}.`);
        if (child.items?.properties) walk(child.items, `${path}${key}[].`);
      }
    };

    // Act
    walk(schema, '');

    // Assess: the plan kinds' and discovery targets' own keys are described by their parent.
    expect(
      undescribed.filter((path) => !/^plan\.(canary|linear|exponential)\./.test(path))
    ).toEqual([]);
    expect(schema.properties?.['$schema']?.description).toContain('ignored');
    expect(jsonSchema.safeParse({ $schema: 'x', ...(examples[0]?.json as object) }).success).toBe(
      true
    );
  });

  it('rejects a misspelt key, as the zod schema does', () => {
    // Prepare
    const [first] = examples;

    // Act
    const result = jsonSchema.safeParse({ ...(first?.json as object), mdoe: 'observe' });

    // Assess
    expect(result.success).toBe(false);
  });
});

describe('examples/*.json', () => {
  it('has the four documented plan shapes at least', () => {
    // Assess
    expect(examples.length).toBeGreaterThanOrEqual(4);
    const kinds = examples.map(({ json }) => Object.keys((json as { plan: object }).plan));
    for (const kind of ['steps', 'canary', 'linear', 'exponential']) {
      expect(kinds.some((keys) => keys.includes(kind))).toBe(true);
    }
  });

  it('shows every metric source: edge auto and by name with thresholds, alarms, MetricStat and math queries', () => {
    // Prepare
    type Metrics = {
      edge?: unknown;
      queries?: { side: string; green?: object; blue?: object }[];
    };
    const inputs = examples.map(({ json }) => json as { metrics: Metrics; alarms?: string[] });
    const definitions = inputs.flatMap((input) =>
      (input.metrics.queries ?? []).flatMap((query) => [query.green, query.blue])
    );

    // Assess
    expect(inputs.some((input) => input.metrics.edge === undefined)).toBe(true);
    expect(
      inputs.some(
        (input) =>
          typeof input.metrics.edge === 'object' && 'thresholds' in (input.metrics.edge as object)
      )
    ).toBe(true);
    expect(
      inputs.some(
        (input) =>
          typeof input.metrics.edge === 'object' && 'green' in (input.metrics.edge as object)
      )
    ).toBe(true);
    expect(inputs.some((input) => (input.alarms ?? []).length > 0)).toBe(true);
    expect(definitions.some((d) => d !== undefined && 'expression' in d)).toBe(true);
    expect(definitions.some((d) => d !== undefined && 'metricStat' in d)).toBe(true);
    const sides = inputs.flatMap((input) => (input.metrics.queries ?? []).map((q) => q.side));
    expect(sides).toEqual(expect.arrayContaining(['both', 'green']));
  });

  it.each([
    { name: 'an unknown edge mode', metrics: { edge: 'on' }, message: 'metrics.edge' },
    {
      name: 'a query without its side definition',
      metrics: { queries: [{ label: 'q', side: 'blue', badWhen: 'above', limit: 1 }] },
      message: 'metrics.queries[0].blue: required with side blue',
    },
    {
      name: 'a query with both metricStat and expression',
      metrics: {
        queries: [
          {
            label: 'q',
            side: 'green',
            badWhen: 'above',
            limit: 1,
            green: {
              metricStat: { namespace: 'N', metricName: 'M', stat: 'Sum' },
              expression: 'm',
            },
          },
        ],
      },
      message: 'metrics.queries[0].green: must have exactly one of metricStat, expression',
    },
  ])('rejects $name, naming the field', ({ metrics, message }) => {
    // Prepare
    const [first] = examples;
    const json = first?.json as { metrics: object };

    // Act
    const parse = () => parseMigrationInput({ ...json, metrics: { ...json.metrics, ...metrics } });

    // Assess
    expect(parse).toThrow(message);
  });

  it.each(examples)('$file is accepted by parseMigrationInput and the JSON Schema', ({ json }) => {
    // Act
    const parse = () => parseMigrationInput(json);

    // Assess
    expect(parse).not.toThrow(InvalidInputError);
    expect(jsonSchema.safeParse(json).success).toBe(true);
    expect(expandSteps(parse().plan).at(-1)).toBe(100);
  });
});
