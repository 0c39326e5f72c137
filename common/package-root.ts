import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder (the one holding package.json), found from this file whether it runs
 * from the sources (common/package-root.ts, through tsx) or from the build (dist/common/package-root.js).
 * Files that are not compiled (the contract's member.graphql, the explorer's page, script and styles,
 * rover.yaml, the demo policies) are read from here, so the build never holds a copy that can go stale.
 */
export const PACKAGE_ROOT: string = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the package, e.g. `fromPackageRoot('schema', 'member.graphql')`. */
export function fromPackageRoot(...segments: string[]): string {
  return join(PACKAGE_ROOT, ...segments);
}

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
