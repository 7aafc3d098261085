/**
 * The escape reader's edge cases (found by `npm run mutation`): a backslash that is not an octal escape, one at
 * the end, octal digits further on, and the zone-ID prefix only at the start.
 */
import { describe, expect, it } from 'vitest';
import {
  canonicalRecordName,
  canonicalZoneId,
  displayRecordName,
} from '../../../functions/core/names.ts';

describe('Functions: displayRecordName and canonicalRecordName, escapes', () => {
  it.each([
    {
      name: 'a backslash quoting a plain character reads as that character',
      given: 'a\\xb.example.com',
      display: 'axb.example.com',
      canonical: 'axb.example.com',
    },
    {
      name: 'only three octal digits right after the backslash are an escape',
      given: 'a\\b123.example.com',
      display: 'ab123.example.com',
      canonical: 'ab123.example.com',
    },
    {
      name: 'two octal digits are not an escape',
      given: 'a\\05.example.com',
      display: 'a05.example.com',
      canonical: 'a05.example.com',
    },
    {
      name: 'a trailing backslash stays a backslash',
      given: 'a\\',
      display: 'a\\',
      canonical: 'a\\134',
    },
    {
      name: 'an octal escape is read as one character',
      given: '\\141b.example.com',
      display: 'ab.example.com',
      canonical: 'ab.example.com',
    },
  ])('$name: $given', ({ given, display, canonical }) => {
    // Act + Assess
    expect(displayRecordName(given)).toBe(display);
    expect(canonicalRecordName(given)).toBe(canonical);
  });
});

describe('Function: canonicalZoneId', () => {
  it('strips /hostedzone/ only as a prefix', () => {
    // Act + Assess
    expect(canonicalZoneId('/hostedzone/Z1')).toBe('Z1');
    expect(canonicalZoneId('Z1/hostedzone/')).toBe('Z1/hostedzone/');
  });
});
