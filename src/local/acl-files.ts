import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeAclUser } from '../model/index.js';
import { NODE_ACL_USERS, UserError } from '../model/index.js';
import type { AclSpec } from './spec.js';

/** Where `up --acl` leaves each user's password for people and applications: `<dir>/acl/`. */
export function aclPasswordFile(dir: string, user: NodeAclUser): string {
  return join(dir, 'acl', `${user}.password`);
}

/** A password for each user; `app` may be given (`up --acl --password`). */
export function newAclSpec(appPassword: string | null): AclSpec {
  const made = (): string => randomBytes(18).toString('base64url');
  return {
    passwords: {
      quorum: made(),
      sentinel: made(),
      replica: made(),
      backup: made(),
      app: appPassword ?? made(),
    },
  };
}

/** Writes each user's password to `<dir>/acl/<user>.password`, readable by its owner only. */
export function writeAclPasswords(dir: string, acl: AclSpec): void {
  for (const user of NODE_ACL_USERS) {
    const file = aclPasswordFile(dir, user);
    try {
      mkdirSync(join(dir, 'acl'), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${acl.passwords[user]}\n`, { mode: 0o600 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unwritable';
      throw new UserError(
        `cannot write ${file} (${code}); up --acl keeps each user's password there: make ${join(dir, 'acl')} writable`,
      );
    }
  }
}
