/**
 * The user contract (README.md) and the design contract (docs/design.md) name what the definition holds: every
 * state of the ASL, every template Parameter, every error name the ASL retries, every npm script the docs tell
 * people to run. Everything is read from the files on each run, so a state or parameter added to the ASL or the
 * template fails here with the name to add to the docs (and a name the docs keep after it is gone fails too).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../support/cfn-template.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

interface AslStates {
  States: Record<
    string,
    {
      Retry?: { ErrorEquals: string[] }[];
      Branches?: AslStates[];
      Iterator?: AslStates;
      ItemProcessor?: AslStates;
    }
  >;
}

/** Every state, nested ones (Parallel branches, Map processors) included. */
function statesOf(definition: AslStates): [string, AslStates['States'][string]][] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, AslStates['States'][string]],
    ...[...(state.Branches ?? []), state.Iterator, state.ItemProcessor]
      .filter((inner): inner is AslStates => inner !== undefined)
      .flatMap(statesOf),
  ]);
}

const asl = JSON.parse(read('statemachine/traffic-shift.asl.json')) as AslStates;
const aslStates = statesOf(asl).map(([name]) => name);
const templateParameters = Object.keys(
  (parseTemplate(`${ROOT}template.yaml`) as { Parameters?: Record<string, unknown> }).Parameters ??
    {}
);
const readme = read('README.md');
const design = read('docs/design.md');

/** The text from the line starting with `start` up to the next blank line or list item. */
function paragraph(text: string, start: string): string {
  const from = text.split('\n').findIndex((line) => line.startsWith(start));
  if (from === -1) throw new Error(`no line starting with "${start}"`);
  const lines = text.split('\n').slice(from);
  const end = lines.findIndex(
    (line, index) => index > 0 && (line.trim() === '' || line.startsWith('- '))
  );
  return lines.slice(0, end === -1 ? undefined : end).join('\n');
}

/** The text of a `## heading` section, up to the next `## `. */
function section(text: string, heading: string): string {
  const from = text.indexOf(`\n${heading}\n`);
  if (from === -1) throw new Error(`no section "${heading}"`);
  const next = text.indexOf('\n## ', from + heading.length + 1);
  return text.slice(from, next === -1 ? undefined : next);
}

const backticked = (text: string) => [...text.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1] ?? '');
const sorted = (names: Iterable<string>) => [...new Set(names)].sort();
const mentions = (text: string, name: string) => new RegExp(`\\b${name}\\b`).test(text);

describe('README.md and docs/design.md follow the definition', () => {
  it("README's States line lists every ASL state, and only those", () => {
    // Act
    const listed = backticked(paragraph(readme, 'States ('));

    // Assess
    expect(sorted(listed), 'README.md "States (...)" line vs the ASL').toEqual(sorted(aslStates));
  });

  it("README's diagram names every ASL state", () => {
    // Act
    const diagram = readme.slice(
      readme.indexOf('```\nPreflight'),
      readme.indexOf('\n```\n', readme.indexOf('```\nPreflight') + 4)
    );
    const missing = aslStates.filter((name) => !mentions(diagram, name));

    // Assess
    expect(missing, 'states missing from the README diagram').toEqual([]);
  });

  it("design.md §2's fixed state names are exactly the ASL's states", () => {
    // Act
    const listed = backticked(paragraph(design, '- State names are fixed'));

    // Assess
    expect(sorted(listed), 'design.md "State names are fixed" vs the ASL').toEqual(
      sorted(aslStates)
    );
  });

  it('design.md §2 names every error the ASL retries', () => {
    // Act
    const retried = statesOf(asl).flatMap(([, state]) =>
      (state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals)
    );
    const ours = sorted(retried.filter((name) => !/^(States|Lambda)\./.test(name)));
    const stateMachineSection = section(design, '## 2. State machine (JSONPath)');

    // Assess
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((name) => !mentions(stateMachineSection, name))).toEqual([]);
  });

  it("README's parameter table lists every template Parameter, and only those", () => {
    // Act
    const rows = section(readme, '## Deploying')
      .split('\n')
      .map((line) => /^\| `([A-Za-z0-9]+)` \|/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);

    // Assess
    expect(templateParameters.length).toBeGreaterThan(0);
    expect(sorted(rows), 'README.md "## Deploying" parameter table vs template.yaml').toEqual(
      sorted(templateParameters)
    );
  });

  it('every `npm run <script>` in the docs exists in package.json', () => {
    // Prepare
    const scripts = Object.keys(
      (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts
    );
    const docs = ['README.md', 'infra/README.md', 'docs/design.md', 'bench/README.md'];

    // Act
    const named = docs.flatMap((path) =>
      [...read(path).matchAll(/npm run ([\w:-]+)/g)].map((match) => `${path}: ${match[1]}`)
    );
    const unknown = named.filter((entry) => !scripts.includes(entry.split(': ')[1] ?? ''));

    // Assess
    expect(named.length).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });
});
