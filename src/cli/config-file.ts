import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Node } from 'yaml';
import { isMap, isNode, isPair, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { formatAddr, parseAddr, UserError } from '../model/index.js';
import type { ObserveTarget } from '../observer/index.js';
import type { AlertConfig } from '../alerts/index.js';
import { alertConfigFrom, alertsSchema } from '../alerts/index.js';
import type { AccessInput } from './access-input.js';
import { accessFrom } from './access-input.js';

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable');
const addr = z.string().refine((s) => parseAddr(s) !== null, { message: 'must be host:port' });

/** `tls: true`, or the files: the same names as the flags. */
const tlsSchema = z.union([
  z.boolean(),
  z
    .object({
      cacert: z.string().optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
      sni: z.string().optional(),
      insecure: z.boolean().optional(),
    })
    .strict(),
]);

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
            sentinels: z.array(addr).min(1, 'must list at least one sentinel').optional(),
            /** A Redis Cluster instead: seed nodes (the others are discovered). */
            cluster: z.array(addr).min(1, 'must list at least one seed node').optional(),
            user: z.string().min(1).optional(),
            passwordEnv: envName.optional(),
            tls: tlsSchema.optional(),
            sentinelUser: z.string().min(1).optional(),
            sentinelPasswordEnv: envName.optional(),
            sentinelTls: tlsSchema.optional(),
          })
          .strict()
          .refine((d) => (d.sentinels === undefined) !== (d.cluster === undefined), {
            message:
              "must list either 'sentinels' (a Sentinel deployment) or 'cluster' (seed nodes)",
          }),
      )
      .min(1, 'must list at least one deployment')
      .optional(),
    alerts: alertsSchema.optional(),
    /** The dashboard's own certificate and key files, to serve it over HTTPS. */
    dashboardTls: z.object({ cert: z.string(), key: z.string() }).strict().optional(),
  })
  .strict();

/** What quorum.yaml holds: deployments to attach to, and how to alert. */
export interface QuorumConfig {
  deployments: ObserveTarget[];
  alerts: AlertConfig;
  /** The dashboard's certificate and key files (absolute), or null for none. */
  dashboardTls: { cert: string; key: string } | null;
}

type Path = readonly PropertyKey[];

/** `deployments[0].sentinels[1]` for a zod issue path. */
function fieldOf(path: Path): string {
  return path.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    '',
  );
}

/**
 * The line of the YAML node at `path` (or of its nearest parent that exists), so an error can be
 * found in a long file; for an unexpected key, the line of that key.
 */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: Path,
  key?: string,
): number | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (!isNode(node)) continue;
    let target: Node = node;
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && String(item.key) === key);
      if (pair && isNode(pair.key)) target = pair.key;
    }
    const offset = target.range?.[0];
    if (offset !== undefined) return lines.linePos(offset).line;
  }
  return null;
}

type TlsInput = Pick<AccessInput, 'tls' | 'cacert' | 'cert' | 'key' | 'sni' | 'insecure'>;

function withDefaults(own: TlsInput, base: TlsInput): TlsInput {
  return {
    tls: own.tls,
    cacert: own.cacert ?? base.cacert,
    cert: own.cert ?? base.cert,
    key: own.key ?? base.key,
    sni: own.sni ?? base.sni,
    insecure: own.insecure ?? base.insecure,
  };
}

/** An example shown with errors, so the fix is one look away. */
const CONFIG_EXAMPLE = `deployments:
  - name: cache
    masterName: mymaster
    sentinels: [10.0.0.5:26379, 10.0.0.6:26379, 10.0.0.7:26379]
    user: app                          # optional: an ACL user (default: the default user)
    passwordEnv: REDIS_PASSWORD        # optional: read the password from this variable
    tls: { cacert: ca.crt, cert: quorum.crt, key: quorum.key }   # optional; or tls: true
    sentinelPasswordEnv: SENTINEL_PASSWORD   # optional: the sentinels' own (sentinelUser too)
    sentinelTls: true                  # optional: TLS to the sentinels (files default to tls's)
  - name: sessions                     # a Redis Cluster: seed nodes instead of sentinels
    cluster: [10.0.1.5:7000, 10.0.1.6:7000]
dashboardTls: { cert: dashboard.crt, key: dashboard.key }   # optional: serve it over HTTPS
alerts:                                # optional
  rules:
    RedisReplicationLagHigh: { for: 2m }
  notifiers:
    - { name: ops, type: slack, url: https://hooks.slack.com/services/T000/B000/XXXX }`;

/**
 * Reads quorum.yaml: the deployments to attach to and the alerts section. Passwords are never
 * written in it, only the names of environment variables that hold them. Every problem is one
 * sentence naming the field and its line.
 */
export function loadConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  { requireDeployments = true }: { requireDeployments?: boolean } = {},
): QuorumConfig {
  if (!existsSync(path))
    throw new UserError(`${path} does not exist; write one like:\n${CONFIG_EXAMPLE}`, 2);
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter: lines });
  const syntax = doc.errors[0];
  if (syntax) {
    throw new UserError(`${path} is not valid YAML: ${syntax.message.split('\n')[0] ?? ''}`, 2);
  }
  const parsed = configSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const issuePath = issue?.path ?? [];
    const unexpected = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const line = lineOf(doc, lines, issuePath, unexpected);
    const field = fieldOf(unexpected === undefined ? issuePath : [...issuePath, unexpected]);
    // a bad record key (an unknown rule name) carries the key's own message one level down
    const inner = issue?.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    const message =
      unexpected === undefined ? (inner ?? issue?.message ?? 'is invalid') : 'is not a known field';
    throw new UserError(
      `${path}${line === null ? '' : `:${line}`}: ${field || 'the file'} ${message}; see the example in --help`,
      2,
    );
  }
  if (requireDeployments && parsed.data.deployments === undefined)
    throw new UserError(`${path}: deployments must list at least one deployment`, 2);
  const names = new Set<string>();
  const deployments = (parsed.data.deployments ?? []).map((d, i) => {
    if (names.has(d.name))
      throw new UserError(
        `${path}: deployments[${i}].name '${d.name}' is used twice; names must be unique`,
        2,
      );
    names.add(d.name);
    const field = (name: string) => `${path}: deployments[${i}].${name}`;
    // certificate files are named relative to quorum.yaml
    const near = (file: string | undefined) =>
      file === undefined ? undefined : resolve(dirname(path), file);
    const tlsInput = (tls: z.infer<typeof tlsSchema> | undefined): TlsInput =>
      tls === undefined || tls === false
        ? {}
        : tls === true
          ? { tls: true }
          : {
              ...tls,
              tls: true,
              cacert: near(tls.cacert),
              cert: near(tls.cert),
              key: near(tls.key),
            };
    const node = accessFrom(
      'node',
      { user: d.user, passwordEnv: d.passwordEnv, ...tlsInput(d.tls) },
      (f) => (f === 'tls' || f === 'user' || f === 'passwordEnv' ? field(f) : field(`tls.${f}`)),
      env,
    );
    // the sentinels' credentials default to the nodes' (user and password together)
    const own = d.sentinelUser !== undefined || d.sentinelPasswordEnv !== undefined;
    // TLS to the sentinels takes the nodes' files unless it names its own
    const sentinelTls =
      d.sentinelTls === undefined || d.sentinelTls === false
        ? {}
        : withDefaults(tlsInput(d.sentinelTls), tlsInput(d.tls));
    const sentinel = accessFrom(
      'sentinel',
      {
        ...(own
          ? { user: d.sentinelUser, passwordEnv: d.sentinelPasswordEnv }
          : { user: d.user, passwordEnv: d.passwordEnv }),
        ...sentinelTls,
      },
      (f) =>
        f === 'tls'
          ? field('sentinelTls')
          : f === 'user'
            ? field('sentinelUser')
            : f === 'passwordEnv'
              ? field(own ? 'sentinelPasswordEnv' : 'passwordEnv')
              : field(`sentinelTls.${f}`),
      env,
    );
    const normal = (list: string[] | undefined) =>
      (list ?? []).map((s) => {
        const hp = parseAddr(s);
        return hp ? formatAddr(hp.host, hp.port) : s;
      });
    const target: ObserveTarget =
      d.cluster !== undefined
        ? { kind: 'cluster', name: d.name, nodes: normal(d.cluster), access: node }
        : {
            kind: 'sentinel',
            name: d.name,
            masterName: d.masterName ?? d.name,
            sentinels: normal(d.sentinels),
            nodes: [],
            access: node,
            sentinelAccess: sentinel,
          };
    return target;
  });
  const tls = parsed.data.dashboardTls;
  return {
    deployments,
    alerts: alertConfigFrom(parsed.data.alerts),
    dashboardTls: tls
      ? { cert: resolve(dirname(path), tls.cert), key: resolve(dirname(path), tls.key) }
      : null,
  };
}
