import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalRecordName,
  canonicalZoneId,
  displayRecordName,
  recordSetKey,
} from '../../../functions/core/names.ts';

describe('Function: canonicalRecordName', () => {
  it.each([
    { name: 'api.example.com', expected: 'api.example.com' },
    { name: 'API.Example.COM.', expected: 'api.example.com' },
    { name: '*.example.com', expected: '\\052.example.com' },
    { name: '\\052.example.com.', expected: '\\052.example.com' },
    { name: 'a_b-c.example.com', expected: 'a_b-c.example.com' },
    { name: 'a b.example.com', expected: 'a\\040b.example.com' },
    { name: 'a\\-b.example.com', expected: 'a-b.example.com' },
    { name: 'example.com\\', expected: 'example.com\\134' },
  ])('$name -> $expected (Route 53 lists it so)', ({ name, expected }) => {
    // Act + Assess
    expect(canonicalRecordName(name)).toBe(expected);
  });

  it('is idempotent and agrees between the escaped and unescaped forms of a name', () => {
    const label = fc.stringMatching(/^[A-Za-z0-9_*-]{1,20}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.boolean(), (labels, dot) => {
        const name = labels.join('.') + (dot ? '.' : '');
        const once = canonicalRecordName(name);
        return (
          canonicalRecordName(once) === once && displayRecordName(once) === displayRecordName(name)
        );
      })
    );
  });
});

describe('Function: displayRecordName', () => {
  it('reads escapes back for people', () => {
    expect(displayRecordName('\\052.Example.com.')).toBe('*.example.com');
  });
});

describe('Function: recordSetKey', () => {
  it('is the same for every spelling of one weighted group', () => {
    // Prepare
    const spellings = [
      { hostedZoneId: 'Z1', name: '*.api.example.com', type: 'A' },
      { hostedZoneId: '/hostedzone/Z1', name: '\\052.API.example.com.', type: 'a' },
    ];

    // Act + Assess
    expect(new Set(spellings.map(recordSetKey))).toEqual(new Set(['Z1 \\052.api.example.com A']));
    expect(canonicalZoneId('/hostedzone/Z9')).toBe('Z9');
  });
});
