/**
 * The ACL users `up --acl` creates and `quorum acl print` shows, each with the rules it needs:
 * one table, so what is launched, printed and checked cannot drift apart.
 */
export const ACL_ROLES = ['quorum', 'sentinel', 'replica', 'backup', 'app', 'exporter'] as const;
export type AclRole = (typeof ACL_ROLES)[number];

/** The users `up --acl` creates on the data nodes, with a password each. */
export const NODE_ACL_USERS = ['quorum', 'sentinel', 'replica', 'backup', 'app'] as const;
export type NodeAclUser = (typeof NODE_ACL_USERS)[number];

/**
 * What a sentinel runs on the data nodes through a failover (Redis docs, "Redis Sentinel":
 * ACL for Sentinel; each was checked sufficient on 7.0.15, ACL LOG empty after a failover).
 */
export const SENTINEL_COMMANDS = [
  'multi',
  'slaveof',
  'ping',
  'exec',
  'subscribe',
  'config|rewrite',
  'role',
  'publish',
  'info',
  'client|setname',
  'client|kill',
  'script|kill',
] as const;

interface RuleSet {
  /** What the user is for, one line. */
  purpose: string;
  /** Its rules on the data nodes. */
  node: string;
  /** Its rules on the sentinels; null where it has no user there. */
  sentinel: string | null;
}

export const ACL_RULES: Record<AclRole, RuleSet> = {
  quorum: {
    purpose:
      'quorum itself: observing, drills, failovers, cluster administration (a lab gets every command)',
    node: '~* &* +@all',
    sentinel: '~* &* +@all',
  },
  sentinel: {
    purpose:
      "the sentinels on the data nodes (sentinel auth-user), and towards each other (sentinel-user); Redis's documented minimum",
    node: `allchannels ${SENTINEL_COMMANDS.map((c) => `+${c}`).join(' ')}`,
    sentinel: '~* &* +@all',
  },
  replica: {
    purpose: 'replicas towards their master (masteruser and masterauth)',
    node: '+psync +replconf +ping',
    sentinel: null,
  },
  backup: {
    purpose: 'taking an RDB from a replica (redis-cli --rdb)',
    node: '+sync +replconf +ping',
    sentinel: null,
  },
  app: {
    purpose:
      "applications: every key and channel, nothing dangerous; on the sentinels only what a client needs to find the master (Redis's documented client profile)",
    // ROLE and INFO are @dangerous, yet clients read them to check where they landed
    node: '~* &* +@all -@dangerous +role +info',
    sentinel:
      '-@all +auth +client|getname +client|id +client|setname +command +hello +ping +role +sentinel|get-master-addr-by-name +sentinel|master +sentinel|myid +sentinel|replicas +sentinel|slaves +sentinel|sentinels',
  },
  exporter: {
    purpose: "redis_exporter's documented minimum, for people who scrape with it",
    node: '-@all +@connection +memory -readonly +strlen +config|get +xinfo +pfcount -quit +zcard +type +xlen -readwrite -command +client -wait +scard +llen +hlen +get +eval +slowlog +cluster|info +cluster|slots +cluster|nodes -hello -echo +info +latency +scan -reset -auth -asking',
    sentinel:
      '-@all +@connection -command +client -hello +info -auth +sentinel|masters +sentinel|replicas +sentinel|slaves +sentinel|sentinels +sentinel|ckquorum',
  },
};

/** One `user` line of an ACL file; `secret` is the password (`>...`), never written elsewhere. */
export function aclUserLine(name: string, secret: string, rules: string): string {
  return `user ${name} on >${secret} ${rules}`;
}
