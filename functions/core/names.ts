/**
 * One canonical form for hosted zone IDs and record names, used wherever two of them are compared or keyed
 * (lock and registry keys, reading pairs back, drift checks, IAM condition values).
 *
 * Route 53 returns every character of a name outside `a-z`, `0-9`, `-` and `_` as a backslash and three octal
 * digits (`*.example.com` is listed as `\052.example.com.`), and the IAM condition key
 * `route53:ChangeResourceRecordSetsNormalizedRecordNames` uses the same escaped, lower-case form without the
 * trailing dot (aws-facts.md §2.10, §9 #3). Comparing an unescaped input with an escaped listing never matches.
 */

const PLAIN = /[a-z0-9_-]/;

/**
 * A hosted zone ID without the `/hostedzone/` prefix the API sometimes adds.
 *
 * @example
 * canonicalZoneId('/hostedzone/Z0123456789ABC'); // => 'Z0123456789ABC'
 */
export function canonicalZoneId(id: string): string {
  return id.replace(/^\/hostedzone\//, '');
}

/** Splits a name into its characters, reading `\NNN` octal escapes (and `\x` quoting) back to characters. */
function unescapedCharacters(name: string): string[] {
  const characters: string[] = [];
  for (let i = 0; i < name.length; i++) {
    const character = name[i] as string;
    if (character === '\\') {
      const octal = /^[0-7]{3}/.exec(name.slice(i + 1));
      if (octal !== null) {
        characters.push(String.fromCharCode(Number.parseInt(octal[0], 8)));
        i += 3;
        continue;
      }
      if (i + 1 < name.length) {
        characters.push(name[i + 1] as string);
        i += 1;
        continue;
      }
    }
    characters.push(character);
  }
  return characters;
}

/**
 * The Route 53 form of a record name: lower case, no trailing dot, every character outside `a-z 0-9 - _` and
 * the label separator as `\NNN` (octal). Idempotent: an already escaped name comes back unchanged.
 *
 * @example
 * canonicalRecordName('*.Example.com.'); // => '\\052.example.com'
 * canonicalRecordName('\\052.example.com.'); // => '\\052.example.com'
 */
export function canonicalRecordName(name: string): string {
  const characters = unescapedCharacters(name.replace(/\.$/, '').toLowerCase());
  return characters
    .map((character) =>
      character === '.' || PLAIN.test(character)
        ? character
        : `\\${character.charCodeAt(0).toString(8).padStart(3, '0')}`
    )
    .join('');
}

/**
 * A record name for people: escapes read back (`\052` shows as `*`), lower case, no trailing dot.
 *
 * @example
 * displayRecordName('\\052.example.com.'); // => '*.example.com'
 */
export function displayRecordName(name: string): string {
  return unescapedCharacters(name.replace(/\.$/, '').toLowerCase()).join('');
}

/**
 * `Z123 \052.example.com A`: the weighted group (zone, name, type) that two runs must not share.
 *
 * @example
 * recordSetKey({ hostedZoneId: '/hostedzone/Z1', name: 'API.example.com.', type: 'A' }); // => 'Z1 api.example.com A'
 */
export function recordSetKey(ref: { hostedZoneId: string; name: string; type: string }): string {
  return `${canonicalZoneId(ref.hostedZoneId)} ${canonicalRecordName(ref.name)} ${ref.type.toUpperCase()}`;
}
