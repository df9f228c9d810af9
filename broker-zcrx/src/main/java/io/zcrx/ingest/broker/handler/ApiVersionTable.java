package io.zcrx.ingest.broker.handler;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * What this broker implements and advertises in ApiVersions (docs/kafka-protocol-notes.md#what-we-advertise): only APIs
 * with a handler, with the minimums Apache Kafka 4.1+ advertises (older librdkafka decides its
 * features from them) and maximums no higher than both our handlers and the pinned kafka-clients'
 * stable versions. Produce is advertised from 0 like Kafka does, but v0-2 requests are refused by
 * closing the connection (message format v2 needs v3+).
 *
 * <p>Immutable; thread-safe.
 */
public final class ApiVersionTable {
    private static final int KEYS = 128;
    private static final short[] ADVERTISED_MIN = new short[KEYS];
    private static final short[] ADVERTISED_MAX = new short[KEYS];
    private static final short[] ACCEPTED_MIN = new short[KEYS];
    private static final boolean[] IMPLEMENTED = new boolean[KEYS];
    /** Forwarded to the controller: advertised and accepted in cluster mode only. */
    private static final boolean[] CLUSTER_ONLY = new boolean[KEYS];
    private static final ApiVersionCollection ADVERTISED = new ApiVersionCollection();
    private static final ApiVersionCollection ADVERTISED_IN_CLUSTER = new ApiVersionCollection();

    static {
        implement(ApiKeys.PRODUCE, 0, 13, 3);
        implement(ApiKeys.METADATA, 0, 13, 0);
        implement(ApiKeys.API_VERSIONS, 0, 4, 0);
        implement(ApiKeys.INIT_PRODUCER_ID, 0, 5, 0);
        implement(ApiKeys.CREATE_TOPICS, 2, 7, 2);
        implement(ApiKeys.DESCRIBE_CONFIGS, 1, 4, 1);
        implement(ApiKeys.DESCRIBE_CLUSTER, 0, 2, 0);
        // Read path and operations (Apache Kafka 4.1+ minimums; maxima where our handlers stop).
        implement(ApiKeys.FETCH, 4, 18, 4);
        implement(ApiKeys.LIST_OFFSETS, 1, 8, 1);
        implement(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 2, 4, 2);
        implement(ApiKeys.FIND_COORDINATOR, 0, 6, 0);
        implement(ApiKeys.JOIN_GROUP, 0, 9, 0);
        implement(ApiKeys.SYNC_GROUP, 0, 5, 0);
        implement(ApiKeys.HEARTBEAT, 0, 4, 0);
        implement(ApiKeys.LEAVE_GROUP, 0, 5, 0);
        implement(ApiKeys.OFFSET_COMMIT, 2, 9, 2);
        implement(ApiKeys.OFFSET_FETCH, 1, 9, 1);
        implement(ApiKeys.DESCRIBE_GROUPS, 0, 6, 0);
        implement(ApiKeys.LIST_GROUPS, 0, 5, 0);
        implement(ApiKeys.DELETE_GROUPS, 0, 2, 0);
        implement(ApiKeys.OFFSET_DELETE, 0, 0, 0);
        implement(ApiKeys.DELETE_TOPICS, 1, 6, 1);
        implement(ApiKeys.CREATE_PARTITIONS, 0, 3, 0);
        // Admin tools (kafka-configs, kafka-delete-records, kafka-log-dirs, kafka-transactions describe-producers,
        // kafka-reassign-partitions --list): both modes; the config changes of topics go to the controller in
        // cluster mode, the reassignments list too.
        implement(ApiKeys.DELETE_RECORDS, 0, 2, 0);
        implement(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 0, 1, 0);
        implement(ApiKeys.ALTER_CONFIGS, 0, 2, 0);
        implement(ApiKeys.DESCRIBE_LOG_DIRS, 1, 5, 1);
        implement(ApiKeys.DESCRIBE_PRODUCERS, 0, 0, 0);
        implement(ApiKeys.LIST_PARTITION_REASSIGNMENTS, 0, 0, 0);
        // Security: SASL (v0 handshake = bare tokens afterwards), SCRAM credentials for kafka-configs.
        implement(ApiKeys.SASL_HANDSHAKE, 0, 1, 0);
        implement(ApiKeys.SASL_AUTHENTICATE, 0, 2, 0);
        implement(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, 0, 0, 0);
        implement(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, 0, 0, 0);
        // ACLs for kafka-acls (SECURITY_DISABLED without authorizer.class.name, as Kafka answers).
        for (ApiKeys acls : new ApiKeys[] {ApiKeys.CREATE_ACLS, ApiKeys.DESCRIBE_ACLS, ApiKeys.DELETE_ACLS}) {
            implement(acls, acls.oldestVersion(), 3, acls.oldestVersion());
        }
        // Cluster mode: the controller's APIs that Kafka's brokers forward (ControllerOwnedHandler).
        implementInCluster(ApiKeys.DESCRIBE_QUORUM, 0, 2);
        implementInCluster(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, 0, 1);
        implementInCluster(ApiKeys.ELECT_LEADERS, 0, 2);
    }

    private static void implementInCluster(ApiKeys api, int min, int max) {
        implement(api, min, max, min);
        CLUSTER_ONLY[api.id] = true;
        ADVERTISED.remove(ADVERTISED.find(api.id));
    }

    private static void implement(ApiKeys api, int min, int max, int acceptedMin) {
        final short stableMax = api.latestVersion(false);
        if (max > stableMax || min < api.oldestVersion() && api != ApiKeys.PRODUCE) {
            throw new IllegalStateException("api version table: " + api + " [" + min + ", " + max
                + "] outside kafka-clients' stable range [" + api.oldestVersion() + ", " + stableMax + "]");
        }
        ADVERTISED_MIN[api.id] = (short) min;
        ADVERTISED_MAX[api.id] = (short) max;
        ACCEPTED_MIN[api.id] = (short) acceptedMin;
        IMPLEMENTED[api.id] = true;
        ADVERTISED.add(new ApiVersion().setApiKey(api.id).setMinVersion((short) min).setMaxVersion((short) max));
        ADVERTISED_IN_CLUSTER.add(new ApiVersion().setApiKey(api.id).setMinVersion((short) min)
            .setMaxVersion((short) max));
    }

    private ApiVersionTable() {
    }

    /** True when some mode has a handler for {@code apiKey}. */
    public static boolean isImplemented(short apiKey) {
        return apiKey >= 0 && apiKey < KEYS && IMPLEMENTED[apiKey];
    }

    /** True when {@code apiKey} is advertised and served in this mode (cluster or standalone). */
    public static boolean isImplemented(short apiKey, boolean clusterMode) {
        return isImplemented(apiKey) && (clusterMode || !CLUSTER_ONLY[apiKey]);
    }

    /** True when we can parse and answer {@code apiKey} at {@code version} in standalone mode. */
    public static boolean accepts(short apiKey, short version) {
        return accepts(apiKey, version, false);
    }

    /** True when we can parse and answer {@code apiKey} at {@code version} in this mode. */
    public static boolean accepts(short apiKey, short version, boolean clusterMode) {
        return isImplemented(apiKey, clusterMode) && version >= ACCEPTED_MIN[apiKey]
            && version <= ADVERTISED_MAX[apiKey];
    }

    public static short advertisedMin(short apiKey) {
        return ADVERTISED_MIN[apiKey];
    }

    public static short advertisedMax(short apiKey) {
        return ADVERTISED_MAX[apiKey];
    }

    public static short acceptedMin(short apiKey) {
        return ACCEPTED_MIN[apiKey];
    }

    /** A fresh copy of the list advertised in standalone mode (the response owns its collection). */
    public static ApiVersionCollection advertised() {
        return advertised(false);
    }

    /** A fresh copy of the list advertised in this mode (the response owns its collection). */
    public static ApiVersionCollection advertised(boolean clusterMode) {
        final ApiVersionCollection from = clusterMode ? ADVERTISED_IN_CLUSTER : ADVERTISED;
        final ApiVersionCollection c = new ApiVersionCollection(from.size());
        for (ApiVersion v : from) {
            c.add(v.duplicate());
        }
        return c;
    }
}
