import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  deployedNodeOptions,
  esbuildOptions,
  samBuildProperties,
} from '../../../scripts/build-options.ts';
import { parseTemplate } from '../../support/cfn-template.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Template {
  Globals?: { Function?: { Environment?: { Variables?: Record<string, unknown> } } };
  Resources: Record<
    string,
    { Type: string; Metadata?: { BuildMethod?: string; BuildProperties?: Record<string, unknown> } }
  >;
}

describe('build options: scripts/build.ts, the bench and template.yaml build alike', () => {
  it('gives every function exactly the shared esbuild settings in SAM spelling, plus its EntryPoints', () => {
    // Prepare
    const template = parseTemplate(`${ROOT}template.yaml`) as Template;

    // Act
    const functions = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
      .map(([name, resource]) => {
        const { EntryPoints: _entry, ...rest } = resource.Metadata?.BuildProperties ?? {};
        return { name, build: rest };
      });

    // Assess
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(fn.build, fn.name).toEqual(samBuildProperties());
  });

  it('resolves ES-module builds first, as the SDK publishes them', () => {
    expect(esbuildOptions.mainFields).toEqual(['module', 'main']);
    expect(samBuildProperties()['MainFields']).toBe('module,main');
  });

  it('deploys the NODE_OPTIONS the bench measures with', () => {
    // Prepare
    const template = parseTemplate(`${ROOT}template.yaml`) as Template;

    // Act
    const nodeOptions = template.Globals?.Function?.Environment?.Variables?.['NODE_OPTIONS'];

    // Assess
    expect(nodeOptions).toBe(deployedNodeOptions);
  });
});
