/**
 * The template's hosted zone ARNs in every partition (aws, aws-cn, aws-us-gov), evaluated with a small
 * interpreter of the intrinsic functions they use; and the default RecordTypes against the examples.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../support/cfn-template.ts';

type Node = unknown;
interface Template {
  Parameters: Record<string, { Default?: string }>;
  Conditions: Record<string, Node>;
  Resources: Record<string, Node>;
}

const template = parseTemplate('template.yaml') as Template;

const SMOKE_HOOK = 'arn:aws:lambda:us-east-1:123456789012:function:smoke';

/** Evaluates Ref, Fn::Sub, Fn::Join, Fn::Split, Fn::If and Fn::Equals for one partition and zone list. */
function evaluate(node: Node, env: { partition: string; zones: string[] }): Node {
  const recurse = (value: Node) => evaluate(value, env);
  if (Array.isArray(node)) return node.map(recurse);
  if (node === null || typeof node !== 'object') return node;
  const [[fn, arg]] = Object.entries(node) as [[string, Node]];
  switch (fn) {
    case 'Ref':
      if (arg === 'AWS::Partition') return env.partition;
      if (arg === 'HostedZoneIds') return env.zones;
      if (arg === 'RecordNames') return ['api.example.com', '\\052.example.com'];
      if (arg === 'StepHookFunctionArns') return [SMOKE_HOOK];
      if (arg === 'RecordTypes')
        return (template.Parameters['RecordTypes']?.Default ?? '').split(',');
      return `\${${String(arg)}}`;
    case 'Fn::Equals': {
      const [a, b] = (arg as Node[]).map(recurse);
      return a === b;
    }
    case 'Fn::If': {
      const [condition, yes, no] = arg as [string, Node, Node];
      return recurse(template.Conditions[condition]) ? recurse(yes) : recurse(no);
    }
    case 'Fn::Join': {
      const [separator, values] = arg as [string, Node];
      expect(typeof separator, 'Fn::Join takes no function in its separator').toBe('string');
      return (recurse(values) as string[]).join(separator);
    }
    case 'Fn::Split': {
      const [separator, value] = arg as [string, Node];
      return String(recurse(value)).split(separator);
    }
    case 'Fn::Sub': {
      const [text, variables] =
        typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Node>]);
      return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
        if (name === 'AWS::Partition') return env.partition;
        const variable = variables[name];
        return variable === undefined ? `\${${name}}` : String(recurse(variable));
      });
    }
    default:
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, recurse(value)]));
  }
}

/** Every IAM statement Resource in the template that names hosted zones. */
function zoneResources(): Node[] {
  const found: Node[] = [];
  const walk = (node: Node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, Node>;
    if ('Resource' in record && JSON.stringify(record['Resource']).includes('hostedzone/')) {
      found.push(record['Resource']);
    }
    Object.values(record).forEach(walk);
  };
  walk(template.Resources);
  return found;
}

describe('Template: hosted zone ARNs', () => {
  it('finds the zone-scoped statements (write policy, its reads, preflight)', () => {
    // Act + Assess
    expect(zoneResources().length).toBeGreaterThanOrEqual(3);
  });

  it.each(['aws', 'aws-cn', 'aws-us-gov'])('builds every zone ARN in partition %s', (partition) => {
    // Prepare
    const zones = ['Z1AAAA', 'Z2BBBB', 'Z3CCCC'];

    // Act
    const resources = zoneResources().map((resource) => evaluate(resource, { partition, zones }));

    // Assess
    for (const arns of resources) {
      expect(arns).toEqual(zones.map((zone) => `arn:${partition}:route53:::hostedzone/${zone}`));
    }
  });
});

describe('Template: RecordTypes default', () => {
  it('allows the record type of every example input', () => {
    // Prepare
    const allowed = (template.Parameters['RecordTypes']?.Default ?? '').split(',');
    const types = readdirSync('examples')
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) =>
        (
          JSON.parse(readFileSync(`examples/${file}`, 'utf8')) as { records: { type: string }[] }
        ).records.map((record) => `${file}: ${record.type}`)
      );

    // Act
    const denied = types.filter((entry) => !allowed.includes(entry.split(': ')[1] ?? ''));

    // Assess
    expect(denied).toEqual([]);
  });

  it('passes the allowed types and names to Preflight', () => {
    // Prepare
    const preflight = template.Resources['PreflightFunction'] as {
      Properties: { Environment: { Variables: Record<string, Node> } };
    };

    // Act
    const variables = evaluate(preflight.Properties.Environment.Variables, {
      partition: 'aws',
      zones: [],
    });

    // Assess
    expect(variables).toMatchObject({
      ALLOWED_RECORD_TYPES: 'A,AAAA,CNAME',
      ALLOWED_RECORD_NAMES: 'api.example.com,\\052.example.com',
      ALLOWED_STEP_HOOKS: SMOKE_HOOK,
    });
  });
});

describe('Template: step hooks', () => {
  it('lets the state machine invoke only the StepHookFunctionArns functions, their versions and aliases', () => {
    // Prepare
    const machine = template.Resources['TrafficShiftStateMachine'] as {
      Properties: { Policies: Node[] };
    };

    // Act
    const policies = evaluate(machine.Properties.Policies, { partition: 'aws', zones: [] });
    const statements = (policies as { Statement?: { Sid?: string; Resource?: Node }[] }[]).flatMap(
      (policy) => policy.Statement ?? []
    );

    // Assess
    expect(statements.find((statement) => statement.Sid === 'InvokeTheStepHooks')).toEqual({
      Sid: 'InvokeTheStepHooks',
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: [SMOKE_HOOK, `${SMOKE_HOOK}:*`],
    });
  });
});

describe('Template: the state machine in every partition', () => {
  it.each(['aws', 'aws-cn', 'aws-us-gov'])(
    'invokes its Lambda tasks through the %s partition (no hard-coded arn:aws: in the definition)',
    (partition) => {
      // Prepare
      const asl = readFileSync('statemachine/traffic-shift.asl.json', 'utf8');
      const machine = template.Resources['TrafficShiftStateMachine'] as {
        Properties: { DefinitionSubstitutions: Record<string, Node> };
      };

      // Act
      const resource = evaluate(
        machine.Properties.DefinitionSubstitutions['LambdaInvokeResource'],
        {
          partition,
          zones: [],
        }
      );

      // Assess
      expect(resource).toBe(`arn:${partition}:states:::lambda:invoke`);
      expect(asl).not.toMatch(/arn:aws:/);
    }
  );
});
