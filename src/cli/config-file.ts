import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { formatAddr, parseAddr, UserError } from '../model/index.js';
import type { SentinelTarget } from '../observer/index.js';

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable');
const addr = z.string().refine((s) => parseAddr(s) !== null, { message: 'must be host:port' });

const configSchema = z
  .object({
    deployments: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be letters, digits, '.', '_' or '-'"),
            masterName: z.string().min(1).optional(),
            sentinels: z.array(addr).min(1, 'must list at least one sentinel'),
            passwordEnv: envName.optional(),
            sentinelPasswordEnv: envName.optional(),
          })
          .strict(),
      )
      .min(1, 'must list at least one deployment'),
  })
  .strict();

/** An example shown with errors, so the fix is one look away. */
export const CONFIG_EXAMPLE = `deployments:
  - name: cache
    masterName: mymaster
    sentinels: [10.0.0.5:26379, 10.0.0.6:26379, 10.0.0.7:26379]
    passwordEnv: REDIS_PASSWORD        # optional: read the password from this variable`;

/**
 * Reads quorum.yaml: the deployments to attach to. Passwords are never written in it, only the
 * names of environment variables that hold them. Every problem is one sentence naming the field.
 */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): SentinelTarget[] {
  if (!existsSync(path))
    throw new UserError(`${path} does not exist; write one like:\n${CONFIG_EXAMPLE}`, 2);
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(
      `${path} is not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`,
      2,
    );
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue?.path.reduce<string>(
        (acc, part) =>
          typeof part === 'number'
            ? `${acc}[${part}]`
            : acc
              ? `${acc}.${String(part)}`
              : String(part),
        '',
      ) ?? '';
    throw new UserError(
      `${path}: ${where || 'the file'} ${issue?.message ?? 'is invalid'}; see the example in --help`,
      2,
    );
  }
  const names = new Set<string>();
  return parsed.data.deployments.map((d, i) => {
    if (names.has(d.name))
      throw new UserError(
        `${path}: deployments[${i}].name '${d.name}' is used twice; names must be unique`,
        2,
      );
    names.add(d.name);
    const secret = (variable: string | undefined, field: string): string | null => {
      if (variable === undefined) return null;
      const value = env[variable];
      if (value === undefined)
        throw new UserError(
          `${path}: deployments[${i}].${field} names ${variable}, which is not set in the environment`,
          2,
        );
      return value;
    };
    const password = secret(d.passwordEnv, 'passwordEnv');
    const sentinelPassword =
      d.sentinelPasswordEnv !== undefined
        ? secret(d.sentinelPasswordEnv, 'sentinelPasswordEnv')
        : password;
    const sentinels = d.sentinels.map((s) => {
      const hp = parseAddr(s);
      return hp ? formatAddr(hp.host, hp.port) : s;
    });
    return {
      name: d.name,
      masterName: d.masterName ?? d.name,
      sentinels,
      nodes: [],
      password,
      sentinelPassword,
    };
  });
}
