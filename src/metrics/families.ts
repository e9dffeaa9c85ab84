import type { Exposition } from './exposition.js';

/** Every family, with redis_exporter's names where it has one, so its dashboards keep working. */
export function declareFamilies(out: Exposition): void {
  out
    .declare('redis_up', 'gauge', 'Whether the node or sentinel answered the last poll.')
    .declare('redis_instance_info', 'info', 'Facts about a data node that answers.')
    .declare('redis_uptime_in_seconds', 'gauge', 'Seconds since the server started.')
    .declare('redis_connected_clients', 'gauge', 'Client connections.')
    .declare('redis_blocked_clients', 'gauge', 'Clients in a blocking call.')
    .declare('redis_connections_received_total', 'counter', 'Connections accepted.')
    .declare('redis_rejected_connections_total', 'counter', 'Connections rejected (maxclients).')
    .declare('redis_memory_used_bytes', 'gauge', 'used_memory.')
    .declare('redis_memory_max_bytes', 'gauge', 'maxmemory (0: no limit).')
    .declare('redis_connected_slaves', 'gauge', 'Replicas connected to this node.')
    .declare('redis_master_repl_offset', 'gauge', 'Replication offset of a master.')
    .declare('redis_slave_repl_offset', 'gauge', 'Replication offset a replica processed.')
    .declare('redis_master_link_up', 'gauge', 'Whether a replica has its link to the master up.')
    .declare('redis_master_sync_in_progress', 'gauge', 'Whether a replica is in a full sync.')
    .declare('redis_commands_processed_total', 'counter', 'Commands processed.')
    .declare('redis_keyspace_hits_total', 'counter', 'Key lookups that found the key.')
    .declare('redis_keyspace_misses_total', 'counter', 'Key lookups that did not.')
    .declare('redis_expired_keys_total', 'counter', 'Keys expired.')
    .declare('redis_evicted_keys_total', 'counter', 'Keys evicted (maxmemory-policy).')
    .declare('redis_db_keys', 'gauge', 'Keys per database.')
    .declare('redis_db_keys_expiring', 'gauge', 'Keys with an expiry per database.')
    .declare('redis_loading_dump_file', 'gauge', 'Whether the node is loading its data.')
    .declare(
      'quorum_replication_lag_bytes',
      'gauge',
      "Bytes a replica is behind its master's offset.",
    )
    .declare(
      'quorum_replication_lag_seconds',
      'gauge',
      'Seconds since the master last heard from the replica.',
    )
    .declare(
      'quorum_node_sdown_sentinels',
      'gauge',
      'Sentinels that flag this node subjectively down.',
    )
    .declare(
      'quorum_tls_cert_expiry_timestamp_seconds',
      'gauge',
      'When the certificate a process presents ends (read in its TLS handshake, hourly).',
    )
    .declare('redis_sentinel_tilt', 'gauge', 'Whether the sentinel is in TILT mode.')
    .declare(
      'redis_sentinel_master_ok_sentinels',
      'gauge',
      'Sentinels this sentinel knows for the master, itself included.',
    )
    .declare('redis_sentinel_master_slaves', 'gauge', 'Replicas this sentinel knows.')
    .declare(
      'redis_sentinel_master_ok_slaves',
      'gauge',
      'Replicas this sentinel does not flag down or disconnected.',
    )
    .declare(
      'redis_sentinel_master_ckquorum_status',
      'gauge',
      'Whether SENTINEL CKQUORUM passes on this sentinel.',
    )
    .declare('quorum_sentinel_master_info', 'info', 'The master each sentinel names.')
    .declare(
      'quorum_sentinel_master_sdown',
      'gauge',
      'Whether this sentinel flags the master s_down.',
    )
    .declare(
      'quorum_sentinel_master_odown',
      'gauge',
      'Whether this sentinel flags the master o_down.',
    )
    .declare('quorum_sentinel_quorum', 'gauge', 'The quorum configured on this sentinel.')
    .declare('quorum_sentinel_down_after_seconds', 'gauge', 'down-after-milliseconds, in seconds.')
    .declare('quorum_sentinel_config_epoch', 'gauge', 'The config epoch this sentinel knows.')
    .declare(
      'quorum_sentinel_agreement',
      'gauge',
      'Sentinels naming the agreed master (or the most named one) / all sentinels.',
    )
    .declare('quorum_sentinels_agreeing', 'gauge', 'Sentinels naming the agreed master.')
    .declare('quorum_sentinels_known', 'gauge', 'Sentinels configured or discovered.')
    .declare('quorum_sentinels_up', 'gauge', 'Sentinels that answered the last poll.')
    .declare('quorum_master_agreed', 'gauge', 'Whether a quorum of sentinels agree on a master.')
    .declare('quorum_master_info', 'info', 'The master a quorum of sentinels agree on.')
    .declare('quorum_masters_reporting', 'gauge', 'Data nodes that answer and say role:master.')
    .declare(
      'quorum_master_changes_total',
      'counter',
      'Times the agreed master moved to another node since quorum started.',
    )
    .declare(
      'quorum_last_failover_seconds',
      'gauge',
      'Last failover, from the moment the old master was lost (a fault quorum injected, its process exiting, or the last poll that reached it) to the new master; from the first sign (+sdown, PFAIL, a manual +try-failover) when that moment is not known.',
    )
    .declare(
      'quorum_last_failover_detection_seconds',
      'gauge',
      'Last failover, from the moment the old master was lost to the first sign of it (+sdown, PFAIL): the detection part of quorum_last_failover_seconds.',
    )
    .declare(
      'quorum_last_failover_timestamp_seconds',
      'gauge',
      'When the last +switch-master was seen.',
    )
    .declare('redis_cluster_state', 'gauge', 'Whether this cluster node says cluster_state:ok.')
    .declare('redis_cluster_slots_assigned', 'gauge', 'Slots with an owner, as this node sees it.')
    .declare('redis_cluster_slots_ok', 'gauge', 'Slots whose owner is not flagged failing.')
    .declare('redis_cluster_slots_pfail', 'gauge', 'Slots whose owner is flagged PFAIL.')
    .declare('redis_cluster_slots_fail', 'gauge', 'Slots whose owner is flagged FAIL.')
    .declare(
      'redis_cluster_known_nodes',
      'gauge',
      'Nodes this cluster node knows, itself included.',
    )
    .declare('redis_cluster_current_epoch', 'gauge', 'The cluster epoch this node knows.')
    .declare(
      'quorum_cluster_slots_covered',
      'gauge',
      'Slots with an owner in the slot map most nodes share.',
    )
    .declare('quorum_cluster_shards', 'gauge', 'Masters that own slots.')
    .declare(
      'quorum_cluster_open_slots',
      'gauge',
      'Slots left MIGRATING or IMPORTING (a move under way or interrupted).',
    )
    .declare(
      'quorum_cluster_nodes_disagreeing',
      'gauge',
      'Nodes whose slot map differs from the one most nodes share.',
    )
    .declare('quorum_observer_polls_total', 'counter', 'Polls of every node and sentinel.')
    .declare('quorum_observer_poll_duration_seconds', 'gauge', 'How long the last poll took.')
    .declare(
      'quorum_observer_failed_reads_total',
      'counter',
      'Node and sentinel reads that failed.',
    )
    .declare(
      'quorum_observer_poll_failures_total',
      'counter',
      'Polls that failed: one threw, or no node and no sentinel answered.',
    )
    .declare('quorum_observer_poll_failing', 'gauge', 'Whether the last poll failed.')
    .declare(
      'quorum_observer_last_poll_timestamp_seconds',
      'gauge',
      'When the data served was observed.',
    )
    .declare(
      'quorum_observer_data_age_seconds',
      'gauge',
      'Age of the data served: seconds since it was observed.',
    )
    .declare(
      'quorum_observer_stale',
      'gauge',
      'Whether the data is older than three poll intervals (per-node samples are then left out).',
    )
    .declare('quorum_proxy_connections', 'gauge', "Client sessions open on the proxy's port.")
    .declare(
      'quorum_proxy_connections_total',
      'counter',
      "Client sessions accepted on the proxy's port.",
    )
    .declare('quorum_proxy_held_connections', 'gauge', 'Clients held while no master is known.')
    .declare(
      'quorum_proxy_refused_total',
      'counter',
      'Clients refused (no master, or shutting down).',
    )
    .declare('quorum_proxy_bytes_total', 'counter', 'Bytes relayed, by direction.')
    .declare('quorum_proxy_backend_connections', 'gauge', 'Sessions per backend.')
    .declare('quorum_proxy_write_master_info', 'info', 'Where the write port sends clients.')
    .declare('quorum_proxy_read_replicas', 'gauge', 'Replicas the read port uses now.')
    .declare(
      'quorum_proxy_sentinels_unreachable',
      'gauge',
      'Whether the proxy keeps the last master on its own word.',
    )
    .declare(
      'quorum_proxy_last_switch_seconds',
      'gauge',
      'From the earliest +switch-master to the proxy routing to the new master.',
    )
    .declare(
      'quorum_proxy_last_switch_timestamp_seconds',
      'gauge',
      'When the proxy last switched master.',
    )
    .declare('quorum_drill_running', 'gauge', 'Whether a failover drill runs.')
    .declare('quorum_drill_last_timestamp_seconds', 'gauge', 'When the latest kept drill started.')
    .declare(
      'quorum_drill_last_acked_lost',
      'gauge',
      'Acknowledged writes lost, worst run of the latest drill.',
    )
    .declare(
      'quorum_drill_last_write_unavailable_seconds',
      'gauge',
      'Median time without writes in the latest drill.',
    )
    .declare(
      'quorum_drill_last_switch_master_seconds',
      'gauge',
      'Median time to +switch-master in the latest drill.',
    )
    .declare('quorum_drill_last_violations', 'gauge', 'Expectations the latest drill broke.')
    .declare('quorum_alert_firing', 'gauge', "quorum's built-in alerts firing now.")
    .declare(
      'quorum_network_faults_active',
      'gauge',
      'Network faults active on a lab deployment, by kind.',
    );
}
