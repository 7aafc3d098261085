/**
 * `npm ci` refuses a lock file that lacks an optional dependency, and the registry these machines reach serves
 * only the Linux builds of some packages (e.g. @biomejs/cli-darwin-x64 404s), so `npm install` writes a lock
 * that its own `npm ci` rejects. This adds the missing platform entries the way a full registry would
 * (os/cpu/libc from the package name); npm skips them on a non-matching platform without fetching them.
 *
 * Usage: node scripts/complete-lock.ts [--check]   (--check: exit 1 and list what is missing, change nothing)
 */
import { readFileSync, writeFileSync } from 'node:fs';

type Entry = Record<string, unknown> & {
  version?: string;
  optionalDependencies?: Record<string, string>;
};
const PLATFORM =
  /-(android|darwin|freebsd|linux|openbsd|sunos|win32)-(arm|arm64|ia32|x64|ppc64|s390x)(-(musl|gnu|msvc))?$/;

export function missingPlatformEntries(
  packages: Record<string, Entry>
): { key: string; entry: Entry }[] {
  const missing: { key: string; entry: Entry }[] = [];
  for (const [key, pkg] of Object.entries(packages)) {
    for (const [dependency, version] of Object.entries(pkg.optionalDependencies ?? {})) {
      const match = PLATFORM.exec(dependency);
      const nested = `${key}/node_modules/${dependency}`;
      const hoisted = `node_modules/${dependency}`;
      if (match === null || packages[nested] !== undefined || packages[hoisted] !== undefined)
        continue;
      const entry: Entry = {
        version,
        cpu: [match[2]],
        dev: pkg['dev'] === true,
        optional: true,
        os: [match[1]],
      };
      if (match[4] === 'musl') entry['libc'] = ['musl'];
      missing.push({ key: hoisted, entry });
    }
  }
  return missing;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = 'package-lock.json';
  const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages: Record<string, Entry> };
  const missing = missingPlatformEntries(lock.packages);
  if (process.argv.includes('--check')) {
    for (const { key } of missing) console.log(`missing from the lock: ${key}`);
    process.exit(missing.length === 0 ? 0 : 1);
  }
  for (const { key, entry } of missing) lock.packages[key] = entry;
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) =>
      a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)
    )
  );
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`added ${missing.length} platform entries to ${path}`);
}
