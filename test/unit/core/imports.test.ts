import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE_DIR = fileURLToPath(new URL('../../../functions/core/', import.meta.url));

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Comments may mention what the code must not do; only code counts. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const SPECIFIER_PATTERNS = [
  /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Every module specifier in a source text. */
function specifiersOf(source: string): string[] {
  const code = stripComments(source);
  return SPECIFIER_PATTERNS.flatMap((pattern) =>
    [...code.matchAll(pattern)].map((match) => match[1] ?? '')
  );
}

/** Why a specifier is not allowed in `file`, or null when it is. */
function importViolation(file: string, specifier: string): string | null {
  // zod's own entry points (zod/mini, its locales) are zod too.
  if (specifier === 'zod' || specifier.startsWith('zod/')) return null;
  if (!specifier.startsWith('.'))
    return `imports '${specifier}' (core may import only zod and core files)`;
  const target = resolve(dirname(file), specifier);
  if (relative(CORE_DIR, target).startsWith('..'))
    return `imports '${specifier}' from outside functions/core`;
  if (!specifier.endsWith('.ts') || !existsSync(target))
    return `imports '${specifier}', which is not a core .ts file`;
  return null;
}

/** The core never reads the clock, the environment or a random source, and never logs. */
const IMPURE_PATTERNS: { pattern: RegExp; what: string }[] = [
  { pattern: /\bDate\.now\s*\(/, what: 'Date.now()' },
  { pattern: /\bnew\s+Date\s*\(\s*\)/, what: 'new Date() without an argument' },
  { pattern: /\bprocess\./, what: 'process' },
  { pattern: /\bconsole\./, what: 'console' },
  { pattern: /\bMath\.random\s*\(/, what: 'Math.random()' },
];

function impurities(source: string): string[] {
  const code = stripComments(source);
  return IMPURE_PATTERNS.filter(({ pattern }) => pattern.test(code)).map(({ what }) => what);
}

const files = listTs(CORE_DIR).map((file) => ({
  name: relative(CORE_DIR, file),
  file,
  source: readFileSync(file, 'utf8'),
}));

describe('functions/core import rule', () => {
  it('finds the core files', () => {
    // Assess
    expect(files.map((f) => f.name)).toEqual(
      expect.arrayContaining(['decide.ts', 'input.ts', 'types.ts', 'verdict.ts'])
    );
  });

  it.each(files)('$name imports only zod and core files', ({ file, source }) => {
    // Act
    const violations = specifiersOf(source)
      .map((specifier) => importViolation(file, specifier))
      .filter((violation) => violation !== null);

    // Assess
    expect(violations).toEqual([]);
  });

  it.each(files)(
    '$name reads no clock, environment or randomness and does not log',
    ({ source }) => {
      // Act + Assess
      expect(impurities(source)).toEqual([]);
    }
  );
});

describe('the import scanner itself', () => {
  const inCore = join(CORE_DIR, 'example.ts');

  it.each([
    { source: "import { z } from 'zod';", violations: [] },
    { source: "import * as z from 'zod/mini';", violations: [] },
    {
      source: "import { x } from 'zodiac';",
      violations: ["imports 'zodiac' (core may import only zod and core files)"],
    },
    { source: "import type { Plan } from './input.ts';", violations: [] },
    { source: "export * from './types.ts';", violations: [] },
    {
      source: "import { x } from '@aws-sdk/client-route-53';",
      violations: ["imports '@aws-sdk/client-route-53' (core may import only zod and core files)"],
    },
    {
      source: "import { readFileSync } from 'node:fs';",
      violations: ["imports 'node:fs' (core may import only zod and core files)"],
    },
    {
      source: "import '../lib/env.ts';",
      violations: ["imports '../lib/env.ts' from outside functions/core"],
    },
    {
      source: "const m = await import('../adapters/x.ts');",
      violations: ["imports '../adapters/x.ts' from outside functions/core"],
    },
    {
      source: "const m = require('./types');",
      violations: ["imports './types', which is not a core .ts file"],
    },
    {
      source: "import {\n  a,\n  b,\n} from './missing.ts';",
      violations: ["imports './missing.ts', which is not a core .ts file"],
    },
    { source: "// import { x } from 'node:fs';\n/* import 'lodash'; */", violations: [] },
  ])('flags $violations.length violation(s) in: $source', ({ source, violations }) => {
    // Act
    const found = specifiersOf(source)
      .map((specifier) => importViolation(inCore, specifier))
      .filter((violation) => violation !== null);

    // Assess
    expect(found).toEqual(violations);
  });

  it.each([
    { source: 'const t = Date.now();', found: ['Date.now()'] },
    { source: 'const t = new Date();', found: ['new Date() without an argument'] },
    { source: 'const t = new Date(iso);', found: [] },
    {
      source: 'const v = process.env.X; console.log(v); Math.random();',
      found: ['process', 'console', 'Math.random()'],
    },
    { source: '/** never Date.now() */ const url = "https://example.com";', found: [] },
  ])('flags $found in: $source', ({ source, found }) => {
    // Act + Assess
    expect(impurities(source)).toEqual(found);
  });
});
