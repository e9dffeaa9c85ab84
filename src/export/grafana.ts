/** A Grafana dashboard over quorum's /metrics, importable as is (Dashboards -> Import). */

interface Target {
  expr: string;
  legendFormat: string;
}

interface PanelSpec {
  title: string;
  type: 'stat' | 'timeseries' | 'state-timeline';
  description: string;
  targets: Target[];
  unit?: string;
  w: number;
  h: number;
  /** Extra `fieldConfig.defaults` (mappings, thresholds). */
  defaults?: Record<string, unknown>;
  options?: Record<string, unknown>;
  bars?: boolean;
}

const D = 'deployment="$deployment"';
const FAILOVER_MARK = `changes(quorum_master_changes_total{${D}}[1m]) > 0`;

const ROLE_MAPPINGS = [
  {
    type: 'value',
    options: {
      '0': { text: 'down', color: 'red', index: 0 },
      '1': { text: 'replica', color: 'blue', index: 1 },
      '2': { text: 'master', color: 'green', index: 2 },
    },
  },
];

const PANELS: PanelSpec[] = [
  {
    title: 'Agreed master',
    type: 'stat',
    description: 'The master a quorum of sentinels agree on.',
    targets: [{ expr: `quorum_master_info{${D}}`, legendFormat: '{{addr}}' }],
    w: 6,
    h: 4,
    options: { textMode: 'name', colorMode: 'background', graphMode: 'none' },
    defaults: { color: { mode: 'fixed', fixedColor: 'green' } },
  },
  {
    title: 'Sentinel agreement',
    type: 'stat',
    description: 'Sentinels naming the agreed master / all sentinels.',
    targets: [{ expr: `quorum_sentinel_agreement{${D}}`, legendFormat: 'agreement' }],
    unit: 'percentunit',
    w: 6,
    h: 4,
    defaults: {
      thresholds: {
        mode: 'absolute',
        steps: [
          { color: 'red', value: null },
          { color: 'orange', value: 0.5 },
          { color: 'green', value: 1 },
        ],
      },
    },
  },
  {
    title: 'Last failover',
    type: 'stat',
    description:
      'From the loss of the old master (its process exiting, quorum stopping it, or the last poll that reached it) to the new master, and the detection part of it; from the first sign when the loss is not known.',
    targets: [
      { expr: `quorum_last_failover_seconds{${D}}`, legendFormat: 'outage' },
      { expr: `quorum_last_failover_detection_seconds{${D}}`, legendFormat: 'detection' },
    ],
    unit: 's',
    w: 6,
    h: 4,
  },
  {
    title: 'Alerts firing',
    type: 'stat',
    description: "quorum's built-in alerts firing now.",
    targets: [{ expr: `sum(quorum_alert_firing{${D}}) or vector(0)`, legendFormat: 'firing' }],
    w: 6,
    h: 4,
    defaults: {
      thresholds: {
        mode: 'absolute',
        steps: [
          { color: 'green', value: null },
          { color: 'red', value: 1 },
        ],
      },
    },
  },
  {
    title: 'Roles over time',
    type: 'state-timeline',
    description: 'Each data node: master, replica, or down. A failover shows as colours swapping.',
    targets: [
      {
        expr: `(max by (addr) (redis_instance_info{${D},role="master"}) * 2) or max by (addr) (redis_instance_info{${D},role="replica"}) or (max by (addr) (redis_up{${D},role!="sentinel"}) * 0)`,
        legendFormat: '{{addr}}',
      },
    ],
    w: 24,
    h: 6,
    defaults: { mappings: ROLE_MAPPINGS, color: { mode: 'thresholds' } },
  },
  {
    title: 'Failovers',
    type: 'timeseries',
    description: 'Times the agreed master moved.',
    targets: [
      {
        expr: `increase(quorum_master_changes_total{${D}}[5m])`,
        legendFormat: 'master changes (5m)',
      },
    ],
    w: 12,
    h: 7,
    bars: true,
  },
  {
    title: 'Replication lag',
    type: 'timeseries',
    description: "Bytes each replica is behind its master's offset.",
    targets: [{ expr: `quorum_replication_lag_bytes{${D}}`, legendFormat: '{{addr}}' }],
    unit: 'bytes',
    w: 12,
    h: 7,
  },
  {
    title: 'Commands per second',
    type: 'timeseries',
    description: 'Commands processed per second on each node.',
    targets: [
      {
        expr: `rate(redis_commands_processed_total{${D}}[1m])`,
        legendFormat: '{{addr}} ({{role}})',
      },
    ],
    unit: 'ops',
    w: 12,
    h: 7,
  },
  {
    title: 'Memory',
    type: 'timeseries',
    description: 'used_memory per node (maxmemory dashed where set).',
    targets: [
      { expr: `redis_memory_used_bytes{${D}}`, legendFormat: '{{addr}}' },
      { expr: `redis_memory_max_bytes{${D}} > 0`, legendFormat: '{{addr}} maxmemory' },
    ],
    unit: 'bytes',
    w: 12,
    h: 7,
  },
  {
    title: 'Sentinels agreeing',
    type: 'timeseries',
    description: 'Sentinels naming the agreed master, sentinels up, and all sentinels.',
    targets: [
      { expr: `quorum_sentinels_agreeing{${D}}`, legendFormat: 'agreeing' },
      { expr: `quorum_sentinels_up{${D}}`, legendFormat: 'up' },
      { expr: `quorum_sentinels_known{${D}}`, legendFormat: 'total' },
    ],
    w: 12,
    h: 7,
  },
  {
    title: 'Clients',
    type: 'timeseries',
    description: 'Connected clients per node, and sessions on quorum’s proxy.',
    targets: [
      { expr: `redis_connected_clients{${D}}`, legendFormat: '{{addr}}' },
      { expr: `quorum_proxy_connections{${D}}`, legendFormat: 'proxy {{side}}' },
    ],
    w: 12,
    h: 7,
  },
];

/** Every PromQL expression of the dashboard, for checking them (pure). */
export function grafanaExpressions(): string[] {
  return [...PANELS.flatMap((p) => p.targets.map((t) => t.expr)), FAILOVER_MARK];
}

/** The dashboard JSON (pure). */
export function renderGrafana(): string {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = PANELS.map((p, i) => {
    if (x + p.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w: p.w, h: p.h };
    x += p.w;
    rowHeight = Math.max(rowHeight, p.h);
    return {
      id: i + 1,
      type: p.type,
      title: p.title,
      description: p.description,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos,
      targets: p.targets.map((t, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: { type: 'prometheus', uid: '${datasource}' },
        expr: t.expr,
        legendFormat: t.legendFormat,
      })),
      fieldConfig: {
        defaults: {
          ...(p.unit ? { unit: p.unit } : {}),
          ...(p.bars ? { custom: { drawStyle: 'bars', fillOpacity: 60 } } : {}),
          ...p.defaults,
        },
        overrides: [],
      },
      options: { ...p.options },
    };
  });
  const dashboard = {
    title: 'quorum: Redis Sentinel',
    uid: 'quorum-redis-sentinel',
    description: "Written by 'quorum export grafana'. One deployment at a time; pick it above.",
    tags: ['redis', 'sentinel', 'quorum'],
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Prometheus',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
        },
        {
          name: 'deployment',
          label: 'Deployment',
          type: 'query',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          query: {
            query: 'label_values(quorum_master_changes_total, deployment)',
            refId: 'deployment',
          },
          definition: 'label_values(quorum_master_changes_total, deployment)',
          refresh: 2,
          sort: 1,
          current: {},
          hide: 0,
        },
      ],
    },
    annotations: {
      list: [
        {
          name: 'Failovers',
          enable: true,
          iconColor: 'red',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          expr: FAILOVER_MARK,
          step: '15s',
          titleFormat: 'master moved',
        },
      ],
    },
    panels,
  };
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
