import { type Command, Argument } from 'commander';
import type { AclRole } from '../model/index.js';
import { ACL_ROLES, ACL_RULES, aclUserLine } from '../model/index.js';

/** `quorum acl print ROLE`: the rules `up --acl` gives a user, for people who set up their own. */
export function registerAcl(program: Command): void {
  const acl = program
    .command('acl')
    .description('the ACL users quorum launches with, for servers you configure yourself');
  acl
    .command('print')
    .description('print the ACL rules of one user, for the data nodes and for the sentinels')
    .addArgument(new Argument('<role>', 'whose rules').choices(ACL_ROLES))
    .option('--json', 'print the rules as JSON')
    .action((role: AclRole, opts: { json?: boolean }) => {
      const rules = ACL_RULES[role];
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify({ role, ...rules }, null, 2)}\n`);
        return;
      }
      const lines = [
        `# ${role}: ${rules.purpose}`,
        '# on the data nodes (a line of an aclfile; or ACL SETUSER with the same rules):',
        aclUserLine(role, 'PASSWORD', rules.node),
        ...(rules.sentinel === null
          ? ['# on the sentinels: no user (it never talks to them)']
          : [
              '# on the sentinels (sentinel.conf, or ACL SETUSER on each sentinel):',
              aclUserLine(role, 'PASSWORD', rules.sentinel),
            ]),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
