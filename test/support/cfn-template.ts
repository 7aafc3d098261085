/** Parses template.yaml as data for the static tests. */
import { readFileSync } from 'node:fs';
import { type CollectionTag, parse, type ScalarTag } from 'yaml';

/** CloudFormation short-form tags (!Ref, !Sub, ...) as their long form, so the template parses as data. */
export function cloudFormationTags(): (ScalarTag | CollectionTag)[] {
  const functions = [
    'Base64',
    'Cidr',
    'Equals',
    'FindInMap',
    'GetAtt',
    'GetAZs',
    'If',
    'ImportValue',
    'Join',
    'Length',
    'Not',
    'And',
    'Or',
    'Select',
    'Split',
    'Sub',
    'ToJsonString',
  ];
  const longName = (name: string) =>
    name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return ['Ref', 'Condition', ...functions].flatMap((name): (ScalarTag | CollectionTag)[] => [
    {
      tag: `!${name}`,
      resolve: (value: string) => ({
        [longName(name)]: name === 'GetAtt' ? value.split('.') : value,
      }),
    },
    {
      tag: `!${name}`,
      collection: 'seq',
      resolve: (value) => ({ [longName(name)]: value.toJSON() }),
    },
    {
      tag: `!${name}`,
      collection: 'map',
      resolve: (value) => ({ [longName(name)]: value.toJSON() }),
    },
  ]);
}

/** Reads a CloudFormation/SAM template with its short-form tags resolved to the long form. */
export function parseTemplate(path: string): unknown {
  return parse(readFileSync(path, 'utf8'), { customTags: cloudFormationTags() });
}
