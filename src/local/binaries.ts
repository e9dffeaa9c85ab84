import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Debian package that provides each binary quorum runs. */
const PACKAGE_OF: Record<string, string> = {
  'redis-server': 'redis-server',
  'redis-sentinel': 'redis-sentinel',
  setpriv: 'util-linux',
};

/** Finds an executable on PATH; null when it is not there. */
export function findOnPath(name: string, pathVar: string = process.env.PATH ?? ''): string | null {
  for (const dir of pathVar.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** One sentence naming the package to install, for a binary that is missing. */
export function missingBinaryMessage(name: string): string {
  const pkg = PACKAGE_OF[name] ?? name;
  return `${name} is not installed (not found on PATH); install it with 'apt-get install ${pkg}' (or 'make up', which installs it)`;
}
