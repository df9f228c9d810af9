package io.zcrx.ingest.broker.config;

import io.zcrx.ingest.broker.config.ConfigValidators.HostPortListValidator;
import io.zcrx.ingest.broker.config.ConfigValidators.HostPortValidator;
import io.zcrx.ingest.broker.config.ConfigValidators.ListenerValidator;
import io.zcrx.ingest.broker.config.ConfigValidators.NullOr;
import io.zcrx.ingest.broker.config.ConfigValidators.PageMultiple;
import io.zcrx.ingest.broker.config.ConfigValidators.PowerOfTwo;
import io.zcrx.ingest.broker.config.ConfigValidators.ProcessRolesValidator;
import io.zcrx.ingest.broker.config.ConfigValidators.ProtocolMapValidator;
import io.zcrx.ingest.broker.config.ConfigValidators.RxQueueListValidator;
import io.zcrx.ingest.log.LogManager;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslClientAuth;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;
import org.apache.kafka.common.utils.Utils;

/**
 * Every broker setting, with Apache Kafka's name and default where Kafka has the setting, and a
 * validated range for every limit (docs/configuration.md lists them). Parsing is kafka-clients'
 * {@link ConfigDef}: a bad value stops the broker with {@code Invalid value V for configuration K:
 * reason}. Cross-field rules are checked in {@link #validateCrossFieldRules()}; the validators
 * ConfigDef lacks are in {@link ConfigValidators}, listener parsing in {@link Endpoint}.
 *
 * <p>Immutable after construction; safe to share between threads.
 *
 * <p>Past 500 lines on purpose: most of it is the declaration of every setting, one
 * {@code define} each with its range and description (docs/configuration.md is generated from
 * them); validators and listener parsing live in {@code ConfigValidators} and {@code Endpoint}.
 */
public final class BrokerConfig extends AbstractConfig {
    // Identity and listeners.
    public static final String NODE_ID = "node.id";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String CLUSTER_ID = "cluster.id";

    // Cluster mode: a KRaft broker under Apache Kafka's controller quorum (Kafka names).
    public static final String PROCESS_ROLES = "process.roles";
    public static final String CONTROLLER_QUORUM_BOOTSTRAP_SERVERS = "controller.quorum.bootstrap.servers";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    public static final String SECURITY_INTER_BROKER_PROTOCOL = "security.inter.broker.protocol";
    public static final String SASL_MECHANISM_INTER_BROKER_PROTOCOL = "sasl.mechanism.inter.broker.protocol";
    public static final String SASL_MECHANISM_CONTROLLER_PROTOCOL = "sasl.mechanism.controller.protocol";
    public static final String BROKER_RACK = "broker.rack";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String INITIAL_BROKER_REGISTRATION_TIMEOUT_MS = "initial.broker.registration.timeout.ms";
    public static final String METADATA_LOG_DIR = "metadata.log.dir";
    /** Kafka's default of listener.security.protocol.map. */
    public static final String DEFAULT_SECURITY_PROTOCOL_MAP =
        "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT";

    // Topics and logs (Kafka names).
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_THREADS = "log.cleaner.threads";
    public static final String LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_SIZE = "log.cleaner.io.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_LOAD_FACTOR = "log.cleaner.io.buffer.load.factor";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_MIN_CLEANABLE_RATIO = "log.cleaner.min.cleanable.ratio";
    public static final String LOG_CLEANER_MIN_COMPACTION_LAG_MS = "log.cleaner.min.compaction.lag.ms";
    public static final String LOG_CLEANER_MAX_COMPACTION_LAG_MS = "log.cleaner.max.compaction.lag.ms";
    public static final String LOG_CLEANER_DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS =
        "replica.high.watermark.checkpoint.interval.ms";
    public static final String LOG_FLUSH_GROUP_COMMIT_ENABLE = "log.flush.group.commit.enable";
    public static final String LOG_PREALLOCATE = "log.preallocate";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "log.message.timestamp.before.max.ms";
    public static final String LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS = "log.message.timestamp.after.max.ms";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String SASL_SERVER_MAX_RECEIVE_SIZE = "sasl.server.max.receive.size";
    public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = "producer.id.expiration.check.interval.ms";
    public static final String LOG_SEGMENT_DELETE_DELAY_MS = "log.segment.delete.delay.ms";

    // Consumers: Fetch and groups (Kafka names).
    public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";

    // Network (Kafka names).
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String SOCKET_SEND_BUFFER_BYTES = "socket.send.buffer.bytes";
    public static final String SOCKET_RECEIVE_BUFFER_BYTES = "socket.receive.buffer.bytes";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String MAX_CONNECTIONS = "max.connections";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";

    // Ours.
    public static final String CONNECTION_MAX_INFLIGHT_REQUESTS = "connection.max.inflight.requests";
    public static final String CONNECTION_OUTBOUND_MAX_BYTES = "connection.outbound.max.bytes";
    public static final String CONNECTION_REQUEST_RECEIVE_TIMEOUT_MS = "connection.request.receive.timeout.ms";
    public static final String RECEIVE_MEMORY_RECLAIM_BELOW_PERCENT = "receive.memory.reclaim.below.percent";
    public static final String RECEIVE_MEMORY_RECLAIM_REQUEST_AGE_MS = "receive.memory.reclaim.request.age.ms";
    public static final String RECEIVE_MEMORY_RECLAIM_SLOW_BYTES_PER_SECOND =
        "receive.memory.reclaim.slow.bytes.per.second";
    public static final String REQUEST_MAX_TOPICS = "request.max.topics";
    public static final String REQUEST_MAX_PARTITIONS = "request.max.partitions";
    public static final String MESSAGE_DECOMPRESSED_MAX_BYTES = "message.decompressed.max.bytes";
    public static final String LOG_OPEN_SEGMENTS_MAX = "log.open.segments.max";
    public static final String TRANSPORT = "transport";
    public static final String NIO_BUFFER_BYTES = "nio.buffer.bytes";
    public static final String NIO_BUFFER_COUNT = "nio.buffer.count";
    public static final String URING_SQ_ENTRIES = "uring.sq.entries";
    public static final String URING_CQ_ENTRIES = "uring.cq.entries";
    public static final String URING_BUFFER_BYTES = "uring.buffer.bytes";
    public static final String URING_BUFFER_COUNT = "uring.buffer.count";
    public static final String ZCRX_INTERFACE = "zcrx.interface";
    public static final String ZCRX_RX_QUEUES = "zcrx.rx.queues";
    public static final String ZCRX_AREA_BYTES = "zcrx.area.bytes";
    public static final String ZCRX_REFILL_ENTRIES = "zcrx.refill.entries";
    public static final String METRICS_ENABLE = "metrics.enable";
    public static final String METRICS_JMX_ENABLE = "metrics.jmx.enable";
    public static final String LOG_STATUS_INTERVAL_MS = "log.status.interval.ms";
    public static final String METRICS_PROMETHEUS_LISTENER = "metrics.prometheus.listener";
    // Cluster mode: the __consumer_offsets topic this broker asks the controller to create.
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";

    public static final String DEFAULT_LISTENER = "PLAINTEXT://127.0.0.1:9092";
    public static final String DEFAULT_LOG_DIR = "data/kafka-logs";

    private static final ConfigDef DEF = buildDef();

    private final InetSocketAddress listenAddress;
    private final String advertisedHost;
    private final int advertisedPort;
    private final List<Path> logDirs;
    private final Map<String, String> securityProtocolMap;
    private final List<ListenerSpec> listeners;

    public BrokerConfig(Map<?, ?> props) {
        super(DEF, props, false);
        this.securityProtocolMap = ProtocolMapValidator.parse(LISTENER_SECURITY_PROTOCOL_MAP,
            getString(LISTENER_SECURITY_PROTOCOL_MAP));
        this.listeners = resolveListeners();
        final ListenerSpec first = listeners.get(0);
        this.listenAddress = first.bind();
        this.advertisedHost = first.advertisedHost();
        this.advertisedPort = first.advertisedPort();
        this.logDirs = parseLogDirs();
        validateCrossFieldRules();
        validateClusterRules();
        validateReplicaFetcherRules();
    }

    public static ConfigDef configDef() {
        return DEF;
    }

    private static ConfigDef buildDef() {
        final ConfigDef d = new ConfigDef();
        d.define(NODE_ID, Type.INT, 1, Range.between(0, Integer.MAX_VALUE), Importance.HIGH,
            "This broker's node id, returned to clients in Metadata and written to meta.properties.");
        d.define(LISTENERS, Type.STRING, DEFAULT_LISTENER, new ListenerValidator(), Importance.HIGH,
            "The listeners, NAME://host:port,... (Kafka's form; host may be 0.0.0.0; port 0 picks a free port). "
                + "Each name maps to a security protocol through listener.security.protocol.map: PLAINTEXT, "
                + "SASL_PLAINTEXT, SSL or SASL_SSL (TLS with the ssl.* settings). The first listener runs on "
                + "the transport chosen by transport= (zcrx serves only it, and only PLAINTEXT or SASL_PLAINTEXT: "
                + "the NIC's flow rule steers one port); the others run on copy-mode io_uring, or NIO where "
                + "io_uring cannot start.");
        d.define(ADVERTISED_LISTENERS, Type.STRING, "", Importance.HIGH,
            "NAME://host:port per listener that clients are told to connect to (each client is answered with "
                + "the endpoint of the listener it connected on); a listener not listed advertises its bound "
                + "address, which must then not be a wildcard.");
        defineSaslSettings(d);
        defineSslSettings(d);
        defineAuthorizerSettings(d);
        d.define(CLUSTER_ID, Type.STRING, "", Importance.LOW,
            "Standalone mode: cluster id used when a log dir is formatted for the first time (22-char base64 "
                + "uuid); empty = generate one. An existing meta.properties always wins. Cluster mode takes the "
                + "cluster id from meta.properties (bin/zcrx-storage.sh format -t ID).");
        defineClusterSettings(d);
        defineReplicaFetcherSettings(d);

        d.define(LOG_DIRS, Type.STRING, "", Importance.HIGH, "Comma-separated log directories; overrides log.dir.");
        d.define(LOG_DIR, Type.STRING, DEFAULT_LOG_DIR, Importance.HIGH,
            "The log directory, relative to the working directory unless absolute.");
        d.define(NUM_PARTITIONS, Type.INT, 1, Range.between(1, 100_000), Importance.MEDIUM,
            "Partitions of an auto-created topic, and of CreateTopics without a partition count.");
        d.define(AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, true, Importance.MEDIUM,
            "Create a topic on a Metadata request that names it and allows auto-creation.");
        d.define(DEFAULT_REPLICATION_FACTOR, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM,
            "Replication factor of topics created without one (CreateTopics with -1). Cluster mode: sent to the "
                + "controller, which refuses a factor above the registered brokers. Standalone (one node): a value "
                + "above 1 makes such CreateTopics fail with INVALID_REPLICATION_FACTOR, as Kafka answers when too "
                + "few brokers are registered.");
        d.define(LOG_SEGMENT_BYTES, Type.INT, 1024 * 1024 * 1024, Range.between(1024, Integer.MAX_VALUE),
            Importance.HIGH, "Roll a segment when it would grow past this size.");
        d.define(LOG_ROLL_MS, Type.LONG, null, new NullOr(Range.atLeast(1L)), Importance.MEDIUM,
            "Roll a non-empty segment older than this; overrides log.roll.hours.");
        d.define(LOG_ROLL_HOURS, Type.INT, 168, Range.atLeast(1), Importance.MEDIUM, "Segment age before a roll.");
        d.define(LOG_INDEX_SIZE_MAX_BYTES, Type.INT, 10 * 1024 * 1024, Range.between(4096, Integer.MAX_VALUE),
            Importance.MEDIUM, "Preallocated size of .index/.timeindex files.");
        d.define(LOG_INDEX_INTERVAL_BYTES, Type.INT, 4096, Range.between(0, Integer.MAX_VALUE), Importance.MEDIUM,
            "Bytes of log between sparse index entries.");
        d.define(LOG_RETENTION_MS, Type.LONG, null, new NullOr(Range.atLeast(-1L)), Importance.HIGH,
            "Delete segments older than this (-1 = forever); overrides minutes/hours.");
        d.define(LOG_RETENTION_MINUTES, Type.INT, null, new NullOr(Range.atLeast(-1)), Importance.HIGH,
            "Retention in minutes.");
        d.define(LOG_RETENTION_HOURS, Type.INT, 168, Range.atLeast(-1), Importance.HIGH, "Retention in hours.");
        d.define(LOG_RETENTION_BYTES, Type.LONG, -1L, Range.atLeast(-1L), Importance.HIGH,
            "Delete oldest segments while a partition is larger than this (-1 = no limit).");
        d.define(LOG_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 300_000L, Range.atLeast(1L), Importance.MEDIUM,
            "How often retention is enforced.");
        d.define(LOG_CLEANUP_POLICY, Type.LIST, "delete", ConfigDef.ValidList.in(false, "compact", "delete"),
            Importance.MEDIUM, "delete: retention removes old segments; compact: the log cleaner keeps the last "
                + "record of each key (docs/compaction.md); both: compact,delete.");
        d.define(LOG_CLEANER_ENABLE, Type.BOOLEAN, true, Importance.MEDIUM,
            "Run the log cleaner (without it compacted topics grow without bound).");
        d.define(LOG_CLEANER_THREADS, Type.INT, 1, Range.atLeast(0), Importance.MEDIUM,
            "Log cleaner threads (0: none, as log.cleaner.enable=false).");
        d.define(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, Type.DOUBLE, Double.MAX_VALUE, Range.atLeast(1.0),
            Importance.MEDIUM, "Bytes per second all cleaner threads together may read plus write.");
        d.define(LOG_CLEANER_DEDUPE_BUFFER_SIZE, Type.LONG, 128L * 1024 * 1024, Range.atLeast(1L),
            Importance.MEDIUM, "Memory of the cleaners' key-to-offset maps, split between the threads "
                + "(at least 1 MiB per thread).");
        d.define(LOG_CLEANER_IO_BUFFER_SIZE, Type.INT, 512 * 1024, Range.atLeast(1024), Importance.MEDIUM,
            "Memory of the cleaners' read and write buffers, split between the threads.");
        d.define(LOG_CLEANER_IO_BUFFER_LOAD_FACTOR, Type.DOUBLE, 0.9, Range.between(0.01, 1.0), Importance.LOW,
            "How full a cleaner's offset map may get before the clean stops mapping.");
        d.define(LOG_CLEANER_BACKOFF_MS, Type.LONG, 15_000L, Range.atLeast(0L), Importance.MEDIUM,
            "How long a cleaner thread sleeps when no log needs cleaning.");
        d.define(LOG_CLEANER_MIN_CLEANABLE_RATIO, Type.DOUBLE, 0.5, Range.between(0.0, 1.0), Importance.MEDIUM,
            "Default min.cleanable.dirty.ratio: dirty bytes over all bytes above which a log is cleaned.");
        d.define(LOG_CLEANER_MIN_COMPACTION_LAG_MS, Type.LONG, 0L, Range.atLeast(0L), Importance.MEDIUM,
            "Default min.compaction.lag.ms: a record stays uncompacted at least this long.");
        d.define(LOG_CLEANER_MAX_COMPACTION_LAG_MS, Type.LONG, Long.MAX_VALUE, Range.atLeast(1L), Importance.MEDIUM,
            "Default max.compaction.lag.ms: a dirty record is compacted at the latest this long after it was "
                + "written.");
        d.define(LOG_CLEANER_DELETE_RETENTION_MS, Type.LONG, 86_400_000L, Range.atLeast(0L), Importance.MEDIUM,
            "Default delete.retention.ms: how long a tombstone stays after the clean that first kept it.");
        d.define(LOG_FLUSH_INTERVAL_MESSAGES, Type.LONG, Long.MAX_VALUE, Range.atLeast(1L), Importance.HIGH,
            "fsync a partition after this many messages (Kafka's default never forces one).");
        d.define(LOG_FLUSH_INTERVAL_MS, Type.LONG, null, new NullOr(Range.atLeast(0L)), Importance.HIGH,
            "fsync a partition when its oldest unflushed message is this old; null = log.flush.scheduler.interval.ms.");
        d.define(LOG_FLUSH_SCHEDULER_INTERVAL_MS, Type.LONG, Long.MAX_VALUE, Range.atLeast(1L), Importance.LOW,
            "How often the flusher checks whether a partition is due.");
        d.define(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, Type.INT, 60_000, Range.atLeast(1), Importance.LOW,
            "How often the recovery-point checkpoint is written.");
        d.define(REPLICA_LAG_TIME_MAX_MS, Type.LONG, 30_000L, Range.between(1L, 86_400_000L), Importance.HIGH,
            "A follower that has not caught up with the leader's log end for this long leaves the ISR (Kafka's).");
        d.define(REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS, Type.LONG, 5000L, Range.atLeast(1L), Importance.LOW,
            "How often the high watermarks are written to replication-offset-checkpoint (Kafka's).");
        d.define(LOG_FLUSH_GROUP_COMMIT_ENABLE, Type.BOOLEAN, false, Importance.HIGH,
            "Group commit: an acks=all Produce response waits until one fdatasync, run by the flusher thread "
                + "for every partition appended to since its last round, covers the request's batches, so "
                + "acknowledged data survives a power loss or kernel crash (see Durability below).");
        d.define(LOG_PREALLOCATE, Type.BOOLEAN, false, Importance.LOW, "Preallocate .log files at segment size.");
        d.define(LOG_MESSAGE_TIMESTAMP_TYPE, Type.STRING, "CreateTime", ValidString.in("CreateTime", "LogAppendTime"),
            Importance.MEDIUM, "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's clock.");
        d.define(LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Type.LONG, Long.MAX_VALUE, Range.atLeast(0L), Importance.MEDIUM,
            "How far in the past a CreateTime timestamp may be.");
        d.define(LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS, Type.LONG, 3_600_000L, Range.atLeast(0L), Importance.MEDIUM,
            "How far in the future a CreateTime timestamp may be.");
        d.define(COMPRESSION_TYPE, Type.STRING, "producer", ValidString.in("producer"), Importance.MEDIUM,
            "Batches are stored as the producer compressed them; recompression is not supported.");
        d.define(MESSAGE_MAX_BYTES, Type.INT, 1048588, Range.between(RECORD_BATCH_OVERHEAD, Integer.MAX_VALUE),
            Importance.HIGH, "Largest record batch accepted (MESSAGE_TOO_LARGE above it).");
        d.define(PRODUCER_ID_EXPIRATION_MS, Type.INT, 86_400_000, Range.atLeast(1), Importance.LOW,
            "Idempotence state of a producer id is dropped after this long without writes.");

        d.define(PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS, Type.INT, 600_000, Range.atLeast(1), Importance.LOW,
            "How often expired producer ids are removed.");
        d.define(LOG_SEGMENT_DELETE_DELAY_MS, Type.LONG, 60_000L, Range.atLeast(0L), Importance.LOW,
            "How long a segment deleted by retention stays on disk (renamed .deleted) before it is removed.");
        d.define(SASL_SERVER_MAX_RECEIVE_SIZE, Type.INT, 524_288, Range.between(64, Integer.MAX_VALUE - 4),
            Importance.LOW, "Largest request a SASL connection may send before it has authenticated (Kafka's "
                + "setting): a larger size prefix closes the connection, so unauthenticated clients cannot hold "
                + "receive memory; after authentication socket.request.max.bytes applies.");
        d.define(UNCLEAN_LEADER_ELECTION_ENABLE, Type.BOOLEAN, false, null, Importance.MEDIUM,
            "Whether a replica outside the ISR may become leader when no in-sync replica is alive (losing what "
                + "only the ISR had). Elections are the controller's: cluster mode passes the topic setting on "
                + "(CreateTopics, IncrementalAlterConfigs) and the controller applies it; standalone has one "
                + "replica and no election.");
        d.define(MIN_INSYNC_REPLICAS, Type.INT, 1, Range.atLeast(1), Importance.HIGH,
            "The fewest in-sync replicas (leader included) that an acks=all write needs: below it, acks=all "
                + "Produce answers NOT_ENOUGH_REPLICAS and the high watermark stays where it is. Capped at the "
                + "partition's replica count (Kafka's effective min ISR), so a single node is always in sync. "
                + "Topic setting: min.insync.replicas.");

        d.define(FETCH_MAX_BYTES, Type.INT, 55 * 1024 * 1024, Range.atLeast(1024), Importance.MEDIUM,
            "Largest Fetch response (record bytes); a request's MaxBytes is capped to it. One batch larger "
                + "than it is still returned whole, so consumers always progress.");
        d.define(GROUP_INITIAL_REBALANCE_DELAY_MS, Type.INT, 3000, Range.atLeast(0), Importance.MEDIUM,
            "How long a new (empty) group waits for more members before its first rebalance; each join "
                + "extends it, up to the rebalance timeout.");
        d.define(GROUP_MIN_SESSION_TIMEOUT_MS, Type.INT, 6000, Range.atLeast(1), Importance.MEDIUM,
            "Smallest session.timeout.ms a consumer may ask for (INVALID_SESSION_TIMEOUT below).");
        d.define(GROUP_MAX_SESSION_TIMEOUT_MS, Type.INT, 1_800_000, Range.atLeast(1), Importance.MEDIUM,
            "Largest session.timeout.ms a consumer may ask for (INVALID_SESSION_TIMEOUT above).");
        d.define(GROUP_MAX_SIZE, Type.INT, Integer.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM,
            "Members one group may have (GROUP_MAX_SIZE_REACHED beyond).");
        d.define(OFFSETS_RETENTION_MINUTES, Type.INT, 10080, Range.atLeast(1), Importance.HIGH,
            "Committed offsets of a group that has been empty this long are deleted (and those of topics "
                + "an active group no longer subscribes to, this long after their commit).");
        d.define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 600_000L, Range.atLeast(1L), Importance.MEDIUM,
            "How often offset retention runs.");
        d.define(OFFSET_METADATA_MAX_BYTES, Type.INT, 4096, Range.atLeast(0), Importance.LOW,
            "Largest metadata string of one committed offset (OFFSET_METADATA_TOO_LARGE above).");

        d.define(SOCKET_REQUEST_MAX_BYTES, Type.INT, 32 * 1024 * 1024, Range.between(64, Integer.MAX_VALUE - 4),
            Importance.HIGH, "Largest request frame; a larger size prefix closes the connection. A whole request "
                + "must fit in receive memory, so it may be at most half of each possible transport's receive memory "
                + "(Kafka's default is 100 MiB; ours is 32 MiB to fit the default receive memory of 64 MiB).");
        d.define(SOCKET_SEND_BUFFER_BYTES, Type.INT, 102_400, Range.atLeast(-1), Importance.LOW,
            "SO_SNDBUF of accepted sockets (-1 = OS default).");
        d.define(SOCKET_RECEIVE_BUFFER_BYTES, Type.INT, 102_400, Range.atLeast(-1), Importance.LOW,
            "SO_RCVBUF of accepted sockets (-1 = OS default).");
        d.define(NUM_NETWORK_THREADS, Type.INT, NetworkThreads.machineDefault(), Range.between(1, NetworkThreads.MAX),
            Importance.HIGH, "Reactor threads (one io_uring ring or NIO selector each; a reactor serves a request from "
                + "receive to page cache and answer, so it is what one core of ingest costs). Default: one per usable "
                + "core (availableProcessors), less one core in eight from 8 cores up for the flusher, cleaner, "
                + "replica fetchers and GC. Receive memory is per reactor (uring.buffer.count x uring.buffer.bytes, or "
                + "NIO's pool), so more reactors hold more of it. transport=zcrx ignores it and runs one reactor per "
                + "zcrx.rx.queues entry.");
        d.define(MAX_CONNECTIONS, Type.INT, Integer.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM,
            "Connections accepted at once; further ones are closed right after accept.");
        d.define(CONNECTIONS_MAX_IDLE_MS, Type.LONG, 600_000L, Range.atLeast(-1L), Importance.MEDIUM,
            "Close connections idle for this long (-1 = never).");

        d.define(CONNECTION_MAX_INFLIGHT_REQUESTS, Type.INT, 100, Range.between(1, 100_000), Importance.MEDIUM,
            "Requests of one connection received but not yet answered before its receive is paused.");
        d.define(CONNECTION_OUTBOUND_MAX_BYTES, Type.INT, 64 * 1024 * 1024, Range.between(64 * 1024, Integer.MAX_VALUE),
            Importance.LOW, "Unsent response bytes of one connection before its receive is paused.");
        d.define(CONNECTION_REQUEST_RECEIVE_TIMEOUT_MS, Type.LONG, 30_000L, Range.between(100L, 86_400_000L),
            Importance.MEDIUM, "A request whose first bytes arrived and that is still incomplete after this long "
                + "closes the connection (slow senders hold receive memory).");
        d.define(RECEIVE_MEMORY_RECLAIM_BELOW_PERCENT, Type.INT, 25, Range.between(0, 50), Importance.MEDIUM,
            "When a reactor's free receive memory falls below this percentage, connections whose request has "
                + "been arriving for longer than " + RECEIVE_MEMORY_RECLAIM_REQUEST_AGE_MS + " at less than "
                + RECEIVE_MEMORY_RECLAIM_SLOW_BYTES_PER_SECOND + " are closed, slowest first, until twice this "
                + "percentage is free: slow senders cannot pin all receive memory until their deadline (0 = off; "
                + CONNECTION_REQUEST_RECEIVE_TIMEOUT_MS + " still applies).");
        d.define(RECEIVE_MEMORY_RECLAIM_REQUEST_AGE_MS, Type.LONG, 1_000L, Range.between(10L, 86_400_000L),
            Importance.LOW, "A request incomplete for longer than this may be closed when receive memory runs low "
                + "(see " + RECEIVE_MEMORY_RECLAIM_BELOW_PERCENT + ").");
        d.define(RECEIVE_MEMORY_RECLAIM_SLOW_BYTES_PER_SECOND, Type.LONG, 16_384L, Range.between(1L, 1L << 30),
            Importance.LOW, "A request arriving slower than this (bytes per second since its first byte) may be "
                + "closed when receive memory runs low (see " + RECEIVE_MEMORY_RECLAIM_BELOW_PERCENT + ").");
        d.define(REQUEST_MAX_TOPICS, Type.INT, 10_000, Range.between(1, 10_000_000), Importance.LOW,
            "Topics one request may name (Produce, Fetch, Metadata, CreateTopics, ...); a request naming more "
                + "closes the connection.");
        d.define(REQUEST_MAX_PARTITIONS, Type.INT, 100_000, Range.between(1, 10_000_000), Importance.LOW,
            "Partitions one request may name, summed over its topics (for CreateTopics and CreatePartitions, "
                + "the partitions it would create); a request naming more closes the connection.");
        d.define(MESSAGE_DECOMPRESSED_MAX_BYTES, Type.INT, 64 * 1024 * 1024,
            Range.between(1024, Integer.MAX_VALUE - 16),
            Importance.LOW, "Largest decompressed records section of one compressed batch (INVALID_RECORD above).");
        // At least 1: the segment being read is open anyway, and a bound of 0 would close and reopen
        // it around every read. At most 2^20, the kernel's default ceiling on one process's
        // descriptors (fs.nr_open): a larger bound would bound nothing. The default is explained at
        // LogManager.DEFAULT_OPEN_SEGMENTS_MAX.
        d.define(LOG_OPEN_SEGMENTS_MAX, Type.INT, LogManager.DEFAULT_OPEN_SEGMENTS_MAX, Range.between(1, 1 << 20),
            Importance.MEDIUM, "Inactive log segments, over all partitions, whose files may be open at once (one "
                + "descriptor and two index mappings each); the least used are closed and opened again when read. "
                + "Active segments (one per partition, two descriptors and two mappings each) are always open and "
                + "not counted. Keep the total well below the open-file limit (ulimit -n) and vm.max_map_count.");
        d.define(TRANSPORT, Type.STRING, "auto", ValidString.in("auto", "zcrx", "uring", "nio"), Importance.HIGH,
            "auto tries zcrx (when zcrx.interface is set), then copy-mode io_uring, then NIO; "
                + "a forced transport that cannot start stops the broker with the reason.");
        d.define(NIO_BUFFER_BYTES, Type.INT, 64 * 1024, Range.between(4096, 16 * 1024 * 1024), Importance.LOW,
            "NIO transport: size of one receive buffer.");
        d.define(NIO_BUFFER_COUNT, Type.INT, 1024, Range.between(4, 1 << 20), Importance.LOW,
            "NIO transport: receive buffers per reactor (bytes x count bounds receive memory).");
        d.define(URING_SQ_ENTRIES, Type.INT, 256, new PowerOfTwo(16, 32768), Importance.LOW,
            "io_uring submission queue entries per ring (power of two).");
        d.define(URING_CQ_ENTRIES, Type.INT, 16384, new PowerOfTwo(64, 1 << 20), Importance.LOW,
            "io_uring completion queue entries per ring (power of two).");
        d.define(URING_BUFFER_BYTES, Type.INT, 32 * 1024, new PowerOfTwo(4096, 1 << 20), Importance.LOW,
            "Copy-mode io_uring: size of one provided receive buffer (power of two).");
        d.define(URING_BUFFER_COUNT, Type.INT, 2048, new PowerOfTwo(16, 32768), Importance.LOW,
            "Copy-mode io_uring: provided buffers per ring (power of two, at most 32768).");
        d.define(ZCRX_INTERFACE, Type.STRING, "", Importance.HIGH,
            "Network interface whose rx queue(s) feed zcrx; empty = zcrx not configured.");
        d.define(ZCRX_RX_QUEUES, Type.LIST, Collections.emptyList(), new RxQueueListValidator(), Importance.HIGH,
            "Hardware rx queue index per zcrx reactor (comma-separated); one reactor per queue.");
        d.define(ZCRX_AREA_BYTES, Type.LONG, 256L * 1024 * 1024,
            new PageMultiple(2L * 1024 * 1024, Integer.MAX_VALUE - 4095),
            Importance.MEDIUM, "zcrx receive area per queue (page multiple): the in-flight receive budget.");
        d.define(ZCRX_REFILL_ENTRIES, Type.INT, 32768, new PowerOfTwo(64, 32768), Importance.MEDIUM,
            "zcrx refill ring entries per queue (power of two, at most 32768).");
        d.define(METRICS_ENABLE, Type.BOOLEAN, true, Importance.LOW,
            "Record metrics (docs/metrics.md). false turns every recording into a no-op and skips the clock reads "
                + "that time requests; the metrics still exist but stay at zero. Only for measuring what the "
                + "metrics themselves cost.");
        d.define(METRICS_JMX_ENABLE, Type.BOOLEAN, true, Importance.LOW,
            "Register every metric as an MBean in the platform MBean server under Kafka's JMX names, so JmxTool, "
                + "jconsole and the Prometheus JMX exporter read them (remote access: the JVM's "
                + "com.sun.management.jmxremote settings).");
        d.define(LOG_STATUS_INTERVAL_MS, Type.LONG, 60_000L, Range.between(0L, 86_400_000L), Importance.LOW,
            "Log one INFO status line this often: MB/s in and out, requests/s, Produce p99, receive memory in "
                + "use, connections, partitions (0 = never).");
        d.define(METRICS_PROMETHEUS_LISTENER, Type.STRING, "", new HostPortValidator(), Importance.MEDIUM,
            "host:port of an HTTP endpoint serving every metric in Prometheus's text format at /metrics "
                + "(docs/metrics.md), e.g. 127.0.0.1:9404, or 0.0.0.0:9404 for every interface; port 0 picks a "
                + "free port (logged). Empty (the default) = no endpoint: a broker that opened a second port "
                + "unasked would surprise operators, and would collide when several brokers share a host. JMX "
                + "serves the same metrics either way.");
        d.define(OFFSETS_TOPIC_NUM_PARTITIONS, Type.INT, 50, Range.between(1, 100_000), Importance.HIGH,
            "Cluster mode: partitions of __consumer_offsets when this broker asks the controller to create it (a "
                + "group's coordinator is the leader of partition abs(groupId.hashCode()) % that count). Must be "
                + "the same on every broker, Kafka's included; it cannot change once the topic exists.");
        d.define(OFFSETS_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, Range.between(1, Short.MAX_VALUE),
            Importance.HIGH,
            "Cluster mode: replication factor of __consumer_offsets when this broker asks the controller to "
                + "create it (Kafka's default, 3). With fewer brokers registered the controller refuses it and "
                + "FindCoordinator answers COORDINATOR_NOT_AVAILABLE (a WARN line says why): a one- or two-broker "
                + "cluster sets 1, as Kafka's sample server.properties does.");
        return d;
    }

    private static final int RECORD_BATCH_OVERHEAD = 61;

    /** Cluster mode's settings: Kafka's names, defaults and meaning (a KRaft broker's subset). */
    private static void defineClusterSettings(ConfigDef d) {
        d.define(PROCESS_ROLES, Type.LIST, "", new ProcessRolesValidator(), Importance.HIGH,
            "Empty (the default): standalone, this node is its own cluster. broker: cluster mode, a KRaft broker "
                + "that registers with Apache Kafka's controller quorum (controller.quorum.bootstrap.servers) and "
                + "leads the partitions the controller assigns it. This broker implements no controller: run "
                + "Apache Kafka's (bin/zcrx-kraft-controller.sh, or kafka-server-start.sh with "
                + "process.roles=controller).");
        d.define(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, Type.LIST, "", new HostPortListValidator(), Importance.HIGH,
            "Cluster mode: host:port of one or more KRaft controllers (comma-separated); required.");
        d.define(CONTROLLER_LISTENER_NAMES, Type.LIST, "", Importance.HIGH,
            "Cluster mode: the controllers' listener name(s); the first is used to reach them (registration, "
                + "heartbeats, forwarded requests, the metadata log) with its protocol in "
                + "listener.security.protocol.map: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (TLS with the ssl.* "
                + "settings, listener.name.<listener>.ssl.* first; SASL with sasl.mechanism.controller.protocol). "
                + "Required.");
        d.define(LISTENER_SECURITY_PROTOCOL_MAP, Type.STRING, DEFAULT_SECURITY_PROTOCOL_MAP,
            new ProtocolMapValidator(), Importance.LOW,
            "Listener name to security protocol, NAME:PROTOCOL,... (Kafka's). Cluster mode needs an entry for "
                + "the controller listener (e.g. CONTROLLER:PLAINTEXT) unless its name is a protocol name.");
        d.define(INTER_BROKER_LISTENER_NAME, Type.STRING, null, Importance.MEDIUM,
            "Cluster mode: the listener the other brokers' replica fetchers connect to (every listener is "
                + "registered with the controller under its name; clients are told the endpoints of the listener "
                + "they connected on). One of listeners, of any protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, "
                + "SASL_SSL): the replica fetchers connect with its ssl.* settings (listener.name.<listener>.ssl.* "
                + "first) and sasl.mechanism.inter.broker.protocol. Kafka's rule: set this or "
                + "security.inter.broker.protocol, not both; neither = PLAINTEXT.");
        d.define(SECURITY_INTER_BROKER_PROTOCOL, Type.STRING, null, Importance.MEDIUM,
            "Cluster mode: the inter-broker listener given by its security protocol (the listener of that name), "
                + "as Kafka accepts it instead of inter.broker.listener.name.");
        d.define(SASL_MECHANISM_INTER_BROKER_PROTOCOL, Type.STRING, "GSSAPI", Importance.MEDIUM,
            "Cluster mode, SASL inter-broker listener: the mechanism this broker's replica fetchers authenticate "
                + "with (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; Kafka's default GSSAPI is not built). It must be "
                + "enabled on that listener; the client login is the username and password options of "
                + "listener.name.<listener>.<mechanism>.sasl.jaas.config, as Kafka's brokers take it.");
        d.define(SASL_MECHANISM_CONTROLLER_PROTOCOL, Type.STRING, "GSSAPI", Importance.MEDIUM,
            "Cluster mode, SASL controller listener: the mechanism this broker authenticates to the controllers "
                + "with (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; Kafka's default GSSAPI is not built). The client "
                + "login is the username and password options of "
                + "listener.name.<controller listener>.<mechanism>.sasl.jaas.config, as Kafka's brokers take it.");
        d.define(BROKER_RACK, Type.STRING, null, Importance.MEDIUM,
            "Rack of this broker, registered with the controller (rack-aware replica placement) and returned to "
                + "clients in Metadata; null = none.");
        d.define(BROKER_HEARTBEAT_INTERVAL_MS, Type.INT, 2000, Range.between(10, 3_600_000), Importance.MEDIUM,
            "Cluster mode: how often the broker heartbeats to the active controller; below "
                + "broker.session.timeout.ms.");
        d.define(BROKER_SESSION_TIMEOUT_MS, Type.INT, 9000, Range.between(100, 3_600_000), Importance.MEDIUM,
            "Cluster mode: the controller fences a broker whose heartbeats stop for this long; this broker stops "
                + "acknowledging writes as leader when no heartbeat was answered for this long (its lease).");
        d.define(INITIAL_BROKER_REGISTRATION_TIMEOUT_MS, Type.INT, 60_000, Range.between(100, 86_400_000),
            Importance.MEDIUM, "Cluster mode: stop the broker when it could not register with the controller "
                + "quorum within this long after start.");
        d.define(METADATA_LOG_DIR, Type.STRING, null, Importance.HIGH,
            "Cluster mode: where the replica of the cluster metadata log (__cluster_metadata-0) is kept; null = "
                + "the first of log.dirs. Must be formatted like the log dirs.");
    }

    /** The SASL mechanisms this broker's own connections (replica fetchers, controller channels) log in with. */
    private static final List<String> CLIENT_SASL_MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

    /** Cluster mode's cross-field rules: the required settings, the listener names, the timeouts. */
    private void validateClusterRules() {
        if (!clusterMode()) {
            return;
        }
        if (!originals().containsKey(NODE_ID)) {
            throw new ConfigException(NODE_ID, null, "must be set (>= 0) when " + PROCESS_ROLES + "=broker");
        }
        if (getList(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS).isEmpty()) {
            throw new ConfigException(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, "",
                "must list the controllers (host:port,...) when " + PROCESS_ROLES + "=broker");
        }
        final List<String> controllerListeners = getList(CONTROLLER_LISTENER_NAMES);
        if (controllerListeners.isEmpty()) {
            throw new ConfigException(CONTROLLER_LISTENER_NAMES, "",
                "must name the controllers' listener (e.g. CONTROLLER) when " + PROCESS_ROLES + "=broker");
        }
        final String controllerListener = controllerListeners.get(0);
        final String controllerProtocol = securityProtocol(controllerListener);
        if (controllerProtocol == null) {
            throw new ConfigException(CONTROLLER_LISTENER_NAMES, String.join(",", controllerListeners),
                "listener " + controllerListener + " has no security protocol in " + LISTENER_SECURITY_PROTOCOL_MAP
                    + "=" + getString(LISTENER_SECURITY_PROTOCOL_MAP) + " (add " + controllerListener
                    + ":<protocol>, the one of the controllers' listener: PLAINTEXT, SSL, SASL_PLAINTEXT or "
                    + "SASL_SSL)");
        }
        if (controllerProtocol.startsWith("SASL_")) {
            final String mechanism = getString(SASL_MECHANISM_CONTROLLER_PROTOCOL);
            if (!CLIENT_SASL_MECHANISMS.contains(mechanism)) {
                throw new ConfigException(SASL_MECHANISM_CONTROLLER_PROTOCOL, mechanism, "must be PLAIN, "
                    + "SCRAM-SHA-256 or SCRAM-SHA-512 when the controller listener " + controllerListener + " is "
                    + controllerProtocol);
            }
        }
        if (originals().get(INTER_BROKER_LISTENER_NAME) != null
                && originals().get(SECURITY_INTER_BROKER_PROTOCOL) != null) {
            throw new ConfigException(INTER_BROKER_LISTENER_NAME, getString(INTER_BROKER_LISTENER_NAME),
                "only one of " + INTER_BROKER_LISTENER_NAME + " and " + SECURITY_INTER_BROKER_PROTOCOL
                    + " may be set (Kafka's rule)");
        }
        final String ibl = interBrokerListenerName();
        final String iblProtocol = ibl.isEmpty() ? null : securityProtocol(ibl);
        if (iblProtocol == null) {
            throw new ConfigException(INTER_BROKER_LISTENER_NAME, ibl, "has no security protocol in "
                + LISTENER_SECURITY_PROTOCOL_MAP + "=" + getString(LISTENER_SECURITY_PROTOCOL_MAP));
        }
        if (listeners.stream().noneMatch(l -> l.name().equals(ibl))) {
            throw new ConfigException(INTER_BROKER_LISTENER_NAME, ibl, "must name one of " + LISTENERS + "="
                + getString(LISTENERS) + " (the other brokers replicate from it)");
        }
        if (iblProtocol.startsWith("SASL_")) {
            final String mechanism = getString(SASL_MECHANISM_INTER_BROKER_PROTOCOL);
            if (!CLIENT_SASL_MECHANISMS.contains(mechanism)) {
                throw new ConfigException(SASL_MECHANISM_INTER_BROKER_PROTOCOL, mechanism, "must be PLAIN, "
                    + "SCRAM-SHA-256 or SCRAM-SHA-512 when the inter-broker listener " + ibl + " is " + iblProtocol);
            }
            final Object enabled = listenerValue(interBrokerListener(), SASL_ENABLED_MECHANISMS);
            final List<String> enabledList = enabled instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                : List.of(String.valueOf(enabled).split("\\s*,\\s*"));
            if (!enabledList.contains(mechanism)) {
                throw new ConfigException(SASL_MECHANISM_INTER_BROKER_PROTOCOL, mechanism, "must be enabled on "
                    + "the inter-broker listener " + ibl + " (its sasl.enabled.mechanisms is "
                    + String.join(",", enabledList) + ")");
            }
        }
        if (controllerListeners.contains(ibl)) {
            throw new ConfigException(INTER_BROKER_LISTENER_NAME, ibl, "must differ from "
                + CONTROLLER_LISTENER_NAMES + "=" + String.join(",", controllerListeners));
        }
        if (getInt(BROKER_HEARTBEAT_INTERVAL_MS) >= getInt(BROKER_SESSION_TIMEOUT_MS)) {
            throw new ConfigException(BROKER_HEARTBEAT_INTERVAL_MS, getInt(BROKER_HEARTBEAT_INTERVAL_MS),
                "must be below " + BROKER_SESSION_TIMEOUT_MS + "=" + getInt(BROKER_SESSION_TIMEOUT_MS));
        }
        final String rack = getString(BROKER_RACK);
        if (rack != null && rack.isBlank()) {
            throw new ConfigException(BROKER_RACK, rack, "must not be blank (leave it unset for no rack)");
        }
        final String metadataDir = getString(METADATA_LOG_DIR);
        if (metadataDir != null && metadataDir.isBlank()) {
            throw new ConfigException(METADATA_LOG_DIR, metadataDir, "must not be blank (leave it unset for the "
                + "first of " + LOG_DIRS + ")");
        }
    }

    private void validateCrossFieldRules() {
        if (getInt(LOG_CLEANER_THREADS) > 0
                && getLong(LOG_CLEANER_DEDUPE_BUFFER_SIZE) / getInt(LOG_CLEANER_THREADS) < 1024 * 1024) {
            // Kafka's KafkaConfig rule: a smaller map makes cleaning crawl.
            throw new ConfigException(LOG_CLEANER_DEDUPE_BUFFER_SIZE, getLong(LOG_CLEANER_DEDUPE_BUFFER_SIZE),
                "must be at least 1 MiB per cleaner thread (" + LOG_CLEANER_THREADS + "="
                    + getInt(LOG_CLEANER_THREADS) + ")");
        }
        if (getLong(LOG_CLEANER_MIN_COMPACTION_LAG_MS) > getLong(LOG_CLEANER_MAX_COMPACTION_LAG_MS)) {
            throw new ConfigException(LOG_CLEANER_MIN_COMPACTION_LAG_MS, getLong(LOG_CLEANER_MIN_COMPACTION_LAG_MS),
                "must not exceed " + LOG_CLEANER_MAX_COMPACTION_LAG_MS + "="
                    + getLong(LOG_CLEANER_MAX_COMPACTION_LAG_MS));
        }
        final int frameMax = getInt(SOCKET_REQUEST_MAX_BYTES);
        final int messageMax = getInt(MESSAGE_MAX_BYTES);
        if (messageMax > frameMax) {
            throw new ConfigException(MESSAGE_MAX_BYTES, messageMax,
                "must not exceed " + SOCKET_REQUEST_MAX_BYTES + "=" + frameMax
                    + " (a batch travels inside one request)");
        }
        if (getInt(GROUP_MIN_SESSION_TIMEOUT_MS) > getInt(GROUP_MAX_SESSION_TIMEOUT_MS)) {
            throw new ConfigException(GROUP_MIN_SESSION_TIMEOUT_MS, getInt(GROUP_MIN_SESSION_TIMEOUT_MS),
                "must not exceed " + GROUP_MAX_SESSION_TIMEOUT_MS + "=" + getInt(GROUP_MAX_SESSION_TIMEOUT_MS));
        }
        // A frame is held in receive memory until it is complete: one larger than the memory could
        // never complete (its connection would stall), so it must fit, with room for others, in the
        // receive memory of every transport that may run.
        final String t = getString(TRANSPORT);
        if (t.equals("auto") || t.equals("nio")) {
            checkFrameFits(frameMax, (long) getInt(NIO_BUFFER_BYTES) * getInt(NIO_BUFFER_COUNT), "nio",
                NIO_BUFFER_BYTES + " x " + NIO_BUFFER_COUNT);
        }
        if (t.equals("auto") || t.equals("uring")) {
            checkFrameFits(frameMax, (long) getInt(URING_BUFFER_BYTES) * getInt(URING_BUFFER_COUNT), "uring",
                URING_BUFFER_BYTES + " x " + URING_BUFFER_COUNT);
        }
        if (t.equals("zcrx") || t.equals("auto") && !zcrxInterface().isEmpty()) {
            checkFrameFits(frameMax, getLong(ZCRX_AREA_BYTES), "zcrx", ZCRX_AREA_BYTES);
        }
        if ("zcrx".equals(getString(TRANSPORT)) && zcrxInterface().isEmpty()) {
            throw new ConfigException(ZCRX_INTERFACE, "", "must name a network interface when transport=zcrx");
        }
        if (!zcrxInterface().isEmpty() && getList(ZCRX_RX_QUEUES).isEmpty()) {
            throw new ConfigException(ZCRX_RX_QUEUES, "", "must list at least one rx queue when zcrx.interface is set");
        }
    }

    private static void checkFrameFits(int frameMax, long receiveMemory, String transport, String memoryKeys) {
        if ((long) frameMax * 2 > receiveMemory) {
            throw new ConfigException(SOCKET_REQUEST_MAX_BYTES, frameMax,
                "a request must fit in half the receive memory "
                + "of transport " + transport + " (" + memoryKeys + " = " + receiveMemory + " bytes per reactor): "
                + "raise those or lower " + SOCKET_REQUEST_MAX_BYTES);
        }
    }

    private List<Path> parseLogDirs() {
        String v = getString(LOG_DIRS);
        if (v == null || v.isBlank()) {
            v = getString(LOG_DIR);
        }
        final List<Path> dirs = new ArrayList<>();
        for (String s : v.split(",")) {
            final String t = s.trim();
            if (t.isEmpty()) {
                throw new ConfigException(LOG_DIRS, v, "empty directory name in the list");
            }
            final Path p = Paths.get(t).toAbsolutePath().normalize();
            if (dirs.contains(p)) {
                throw new ConfigException(LOG_DIRS, v, "directory listed twice: " + p);
            }
            dirs.add(p);
        }
        return Collections.unmodifiableList(dirs);
    }

    // ---- typed accessors -------------------------------------------------------------------

    /** True with {@code process.roles=broker}: a KRaft broker under Apache Kafka's controllers. */
    public boolean clusterMode() {
        return getList(PROCESS_ROLES).contains("broker");
    }

    /** The controllers to bootstrap from ({@code controller.quorum.bootstrap.servers}), as given. */
    public List<String> controllerBootstrapServers() {
        return getList(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS);
    }

    public List<String> controllerListenerNames() {
        return getList(CONTROLLER_LISTENER_NAMES);
    }

    /**
     * {@code inter.broker.listener.name}, else the listener named like {@code security.inter.broker.protocol},
     * else PLAINTEXT (Kafka's resolution), upper case.
     */
    public String interBrokerListenerName() {
        String v = getString(INTER_BROKER_LISTENER_NAME);
        if (v == null) {
            v = getString(SECURITY_INTER_BROKER_PROTOCOL);
        }
        return v == null ? "PLAINTEXT" : v.trim().toUpperCase(Locale.ROOT);
    }

    /**
     * The security protocol of a listener name as Kafka resolves it: the map's entry, else the name
     * itself when it is a protocol's name, else null.
     */
    public String securityProtocol(String listenerName) {
        final String name = listenerName.trim().toUpperCase(Locale.ROOT);
        final String p = securityProtocolMap.get(name);
        if (p != null) {
            return p;
        }
        return ProtocolMapValidator.PROTOCOLS.contains(name) ? name : null;
    }

    /** {@code broker.rack}, or null. */
    public String rack() {
        return getString(BROKER_RACK);
    }

    /** {@code metadata.log.dir}, defaulting to the first of {@link #logDirs()}. */
    public Path metadataLogDir() {
        final String v = getString(METADATA_LOG_DIR);
        return v == null ? logDirs.get(0) : Paths.get(v.trim()).toAbsolutePath().normalize();
    }

    public int nodeId() {
        return getInt(NODE_ID);
    }

    public InetSocketAddress listenAddress() {
        return listenAddress;
    }

    public String advertisedHost() {
        return advertisedHost;
    }

    /** Advertised port; 0 means "the port actually bound" (listeners with port 0). */
    public int advertisedPort() {
        return advertisedPort;
    }

    public String clusterIdIfNew() {
        return getString(CLUSTER_ID);
    }

    public List<Path> logDirs() {
        return logDirs;
    }

    public int numPartitions() {
        return getInt(NUM_PARTITIONS);
    }

    public boolean autoCreateTopics() {
        return getBoolean(AUTO_CREATE_TOPICS_ENABLE);
    }

    public long logRollMs() {
        final Long ms = getLong(LOG_ROLL_MS);
        return ms != null ? ms : getInt(LOG_ROLL_HOURS) * 3_600_000L;
    }

    public long logRetentionMs() {
        final Long ms = getLong(LOG_RETENTION_MS);
        if (ms != null) {
            return ms;
        }
        final Integer minutes = getInt(LOG_RETENTION_MINUTES);
        if (minutes != null) {
            return minutes < 0 ? -1L : minutes * 60_000L;
        }
        final int hours = getInt(LOG_RETENTION_HOURS);
        return hours < 0 ? -1L : hours * 3_600_000L;
    }

    public long logFlushIntervalMs() {
        final Long ms = getLong(LOG_FLUSH_INTERVAL_MS);
        return ms != null ? ms : getLong(LOG_FLUSH_SCHEDULER_INTERVAL_MS);
    }

    public boolean logAppendTime() {
        return "LogAppendTime".equals(getString(LOG_MESSAGE_TIMESTAMP_TYPE));
    }

    public int messageMaxBytes() {
        return getInt(MESSAGE_MAX_BYTES);
    }

    public int socketRequestMaxBytes() {
        return getInt(SOCKET_REQUEST_MAX_BYTES);
    }

    public int numNetworkThreads() {
        return getInt(NUM_NETWORK_THREADS);
    }

    /** {@code num.network.threads} and where it came from (the start-up log line). */
    public String numNetworkThreadsReason() {
        return NetworkThreads.reason(originals().containsKey(NUM_NETWORK_THREADS), numNetworkThreads());
    }

    public String transport() {
        return getString(TRANSPORT);
    }

    public String zcrxInterface() {
        return getString(ZCRX_INTERFACE).trim();
    }

    public List<Integer> zcrxRxQueues() {
        final List<Integer> out = new ArrayList<>();
        for (String s : getList(ZCRX_RX_QUEUES)) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }

    /** The Prometheus endpoint's address, or null when {@value #METRICS_PROMETHEUS_LISTENER} is empty (off). */
    public InetSocketAddress prometheusListener() {
        final String v = getString(METRICS_PROMETHEUS_LISTENER).trim();
        if (v.isEmpty()) {
            return null;
        }
        final HostPortValidator.HostPort hp = HostPortValidator.parse(METRICS_PROMETHEUS_LISTENER, v);
        return new InetSocketAddress(hp.host(), hp.port());
    }

    /** The effective configuration, sorted by key, one {@code key=value} per entry (logged at start). */
    public Map<String, String> effectiveValues() {
        final Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, ?> e : values().entrySet()) {
            out.put(e.getKey(), String.valueOf(e.getValue()));
        }
        return out;
    }

    /** Keys that were supplied but are not ours (Kafka server.properties keys we do not implement). */
    public Set<String> unknownKeys() {
        final Set<String> out = new TreeSet<>(originals().keySet());
        out.removeAll(DEF.names());
        // Per-listener SASL settings (listener.name.<l>.<key>, listener.name.<l>.<mechanism>.sasl.jaas.config).
        out.removeIf(k -> k.startsWith("listener.name.") && (k.endsWith("." + SASL_JAAS_CONFIG)
            || k.endsWith("." + SASL_ENABLED_MECHANISMS) || k.endsWith("." + CONNECTIONS_MAX_REAUTH_MS)));
        // Per-listener TLS settings (listener.name.<l>.ssl.*).
        out.removeIf(k -> k.startsWith("listener.name.") && SSL_KEYS.contains(k.substring(k.indexOf('.', 14) + 1)));
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Listeners and SASL (docs/configuration.md "Security"; README "Security: listeners and SASL").

    public static final String AUTHORIZER_CLASS_NAME = "authorizer.class.name";
    /** Kafka's KRaft authorizer (kafka-metadata): the one {@value #AUTHORIZER_CLASS_NAME} accepted. */
    public static final String STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    public static final String SUPER_USERS = "super.users";
    public static final String ALLOW_EVERYONE_IF_NO_ACL_FOUND = "allow.everyone.if.no.acl.found";
    public static final String SASL_ENABLED_MECHANISMS = "sasl.enabled.mechanisms";
    public static final String CONNECTIONS_MAX_REAUTH_MS = "connections.max.reauth.ms";
    /** Kafka's JAAS setting; on a broker only as listener.name.<l>.<mechanism>.sasl.jaas.config. */
    public static final String SASL_JAAS_CONFIG = "sasl.jaas.config";

    private static void defineSaslSettings(ConfigDef d) {
        d.define(SASL_ENABLED_MECHANISMS, Type.LIST, "SCRAM-SHA-256,SCRAM-SHA-512", Importance.MEDIUM,
            "Mechanisms a SASL listener offers: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (GSSAPI and OAUTHBEARER are "
                + "not built). Per listener: listener.name.<listener>.sasl.enabled.mechanisms. PLAIN's users come "
                + "from listener.name.<listener>.plain.sasl.jaas.config (Kafka's PlainLoginModule with "
                + "user_<name>=\"<password>\" options) or the KafkaServer section of the JAAS file named by "
                + "-Djava.security.auth.login.config; SCRAM's from kafka-configs (AlterUserScramCredentials), "
                + "kept salted. Kafka's default is GSSAPI, which this broker does not implement.");
        d.define(CONNECTIONS_MAX_REAUTH_MS, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
            "KIP-368: the longest a SASL session lasts; the client is told in SaslAuthenticate v1+ and "
                + "re-authenticates (same principal, same mechanism) before it ends; a connection past its "
                + "session is closed at its next request other than SaslHandshake. 0 = sessions never end. Per "
                + "listener: listener.name.<listener>.connections.max.reauth.ms.");
    }

    /**
     * Kafka's TLS settings, with Kafka's own types, defaults and documentation: the client-side set
     * ({@code SslConfigs.addClientSslSupport}: keystore, truststore, protocols, cipher suites, PEM, engine factory)
     * plus the broker's {@code ssl.client.auth} and {@code ssl.principal.mapping.rules}. Each may be given per
     * listener as {@code listener.name.<listener>.ssl.*}; a TLS listener parses its resolved set again with
     * {@link #sslConfigDef()} at start, so a bad value fails naming the key.
     */
    private static void defineSslSettings(ConfigDef d) {
        final ConfigDef ssl = sslConfigDef();
        for (ConfigDef.ConfigKey k : ssl.configKeys().values()) {
            d.define(k);
        }
    }

    /** Kafka's {@code ssl.*} settings as a TLS listener resolves them (see {@code defineSslSettings}). */
    public static ConfigDef sslConfigDef() {
        return new ConfigDef().withClientSslSupport()
            .define(BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG, Type.STRING,
                BrokerSecurityConfigs.SSL_CLIENT_AUTH_DEFAULT, ValidString.in(Utils.enumOptions(SslClientAuth.class)),
                Importance.MEDIUM, BrokerSecurityConfigs.SSL_CLIENT_AUTH_DOC
                    + " Per listener: listener.name.<listener>.ssl.client.auth.")
            .define(BrokerSecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES_CONFIG, Type.STRING,
                BrokerSecurityConfigs.DEFAULT_SSL_PRINCIPAL_MAPPING_RULES, Importance.LOW,
                BrokerSecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES_DOC);
    }

    private static final Set<String> SSL_KEYS = sslConfigDef().names();

    /**
     * The {@code ssl.*} settings of a TLS listener as Kafka resolves them: {@code listener.name.<l>.ssl.*}
     * when given, else the broker-wide value, else Kafka's default; typed (passwords as {@code Password}, lists
     * as lists) for kafka-clients' {@code SslFactory}.
     */
    public Map<String, Object> listenerSslConfigs(ListenerSpec listener) {
        final Map<String, Object> raw = new HashMap<>();
        for (String key : SSL_KEYS) {
            final Object own = originals().get(listener.configPrefix() + key);
            final Object v = own != null ? own : originals().get(key);
            if (v != null) {
                raw.put(key, v);
            }
        }
        try {
            return new HashMap<>(sslConfigDef().parse(raw));
        } catch (ConfigException e) {
            throw new ConfigException("listener " + listener.name() + ": " + e.getMessage());
        }
    }

    private static void defineAuthorizerSettings(ConfigDef d) {
        d.define(AUTHORIZER_CLASS_NAME, Type.STRING, "", ValidString.in("", STANDARD_AUTHORIZER), Importance.HIGH,
            "The authorizer: empty (no authorization: every client may do everything, the ACL APIs answer "
                + "SECURITY_DISABLED) or " + STANDARD_AUTHORIZER + ", Kafka's own KRaft authorizer (ACLs managed "
                + "with kafka-acls; standalone they are kept in <first log dir>/zcrx-acls, in cluster mode the "
                + "metadata log holds them). Denials are logged on the logger kafka.authorizer.logger.");
        d.define(SUPER_USERS, Type.STRING, "", new SuperUsersValidator(), Importance.HIGH,
            "Principals allowed everything whatever the ACLs say, separated by ';' (Kafka's form), e.g. "
                + "User:admin;User:ops.");
        d.define(ALLOW_EVERYONE_IF_NO_ACL_FOUND, Type.BOOLEAN, false, Importance.MEDIUM,
            "With an authorizer: a resource no ACL matches is open to everyone (true) or to super users only "
                + "(false, Kafka's default).");
    }

    /** {@value #SUPER_USERS}: principals ({@code Type:name}) separated by ';'. */
    static final class SuperUsersValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            for (String v : value.toString().split(";")) {
                final String p = v.trim();
                if (!p.isEmpty() && (p.indexOf(':') <= 0 || p.indexOf(':') == p.length() - 1)) {
                    throw new ConfigException(name, value, "'" + p + "' is not a principal (Type:name, e.g. "
                        + "User:admin); entries are separated by ';'");
                }
            }
        }

        @Override
        public String toString() {
            return "principals Type:name separated by ;";
        }
    }

    /** Every listener of {@code listeners}, in order; the first is the one {@code transport=} selects for. */
    public List<ListenerSpec> listeners() {
        return listeners;
    }

    /**
     * A setting of one listener as Kafka resolves it: {@code listener.name.<l>.<key>} when given, else the
     * broker-wide value (null when neither exists).
     */
    public Object listenerValue(ListenerSpec listener, String key) {
        final Object own = originals().get(listener.configPrefix() + key);
        if (own != null) {
            return own;
        }
        return DEF.names().contains(key) ? values().get(key) : originals().get(key);
    }

    /**
     * Cluster mode: the listener registered under {@code inter.broker.listener.name} (the one the other
     * brokers replicate from): the listener of that name, else the first (a single listener under any name,
     * as before several listeners existed).
     */
    public ListenerSpec interBrokerListener() {
        final String ibl = interBrokerListenerName();
        for (ListenerSpec l : listeners) {
            if (l.name().equals(ibl)) {
                return l;
            }
        }
        return listeners.get(0);
    }

    /** {@code listeners} with their protocols and advertised endpoints; the cross-field rules of Kafka. */
    private List<ListenerSpec> resolveListeners() {
        final String value = getString(LISTENERS);
        final List<Endpoint> bound = Endpoint.parseList(LISTENERS, value);
        if (bound.isEmpty()) {
            throw new ConfigException(LISTENERS, value, "must name at least one listener (NAME://host:port)");
        }
        final String adv = getString(ADVERTISED_LISTENERS);
        final Map<String, Endpoint> advertised = new LinkedHashMap<>();
        for (Endpoint a : Endpoint.parseList(ADVERTISED_LISTENERS, adv)) {
            if (a.wildcard()) {
                throw new ConfigException(ADVERTISED_LISTENERS, adv, "listener " + a.name
                    + " must name a host clients can reach, not a wildcard");
            }
            advertised.put(a.name, a);
        }
        final List<ListenerSpec> out = new ArrayList<>();
        final Set<Integer> ports = new HashSet<>();
        for (Endpoint e : bound) {
            final String protocol = securityProtocol(e.name);
            if (protocol == null) {
                throw new ConfigException(LISTENERS, value, "listener " + e.name + " has no security protocol: add "
                    + e.name + ":<protocol> to " + LISTENER_SECURITY_PROTOCOL_MAP + "="
                    + getString(LISTENER_SECURITY_PROTOCOL_MAP));
            }
            if (e.port != 0 && !ports.add(e.port)) {
                throw new ConfigException(LISTENERS, value, "port " + e.port + " is used by two listeners");
            }
            final Endpoint a = advertised.remove(e.name);
            if (a == null && e.wildcard()) {
                throw new ConfigException(ADVERTISED_LISTENERS, adv, "must be set for listener " + e.name
                    + " when listeners binds the wildcard address (" + value
                    + "): clients need a host name they can reach");
            }
            out.add(new ListenerSpec(e.name, protocol, new InetSocketAddress(e.host, e.port),
                a == null ? e.host : a.host, a == null ? e.port : a.port));
        }
        if (!advertised.isEmpty()) {
            throw new ConfigException(ADVERTISED_LISTENERS, adv, "names listener(s) " + advertised.keySet()
                + " that listeners=" + value + " does not define");
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------------------------------------
    // Replication, follower side (cluster mode): the replica fetchers' settings, Kafka's names and defaults.

    public static final String NUM_REPLICA_FETCHERS = "num.replica.fetchers";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
    public static final String REPLICA_SOCKET_TIMEOUT_MS = "replica.socket.timeout.ms";

    private static void defineReplicaFetcherSettings(ConfigDef d) {
        d.define(NUM_REPLICA_FETCHERS, Type.INT, 1, Range.between(1, 1024), Importance.HIGH,
            "Cluster mode: fetcher threads (each with its own connection) per source broker that replicate the "
                + "partitions this broker follows; a partition always goes to the same one.");
        d.define(REPLICA_FETCH_MAX_BYTES, Type.INT, 1024 * 1024, Range.atLeast(0), Importance.MEDIUM,
            "Cluster mode: bytes a follower Fetch asks for per partition (the first batch comes even when larger).");
        d.define(REPLICA_FETCH_WAIT_MAX_MS, Type.INT, 500, Range.atLeast(0), Importance.MEDIUM,
            "Cluster mode: how long the leader may hold a follower Fetch waiting for replica.fetch.min.bytes.");
        d.define(REPLICA_FETCH_MIN_BYTES, Type.INT, 1, Range.atLeast(0), Importance.MEDIUM,
            "Cluster mode: bytes a follower Fetch waits for (up to replica.fetch.wait.max.ms) before the leader "
                + "answers.");
        d.define(REPLICA_FETCH_BACKOFF_MS, Type.INT, 1000, Range.atLeast(0), Importance.MEDIUM,
            "Cluster mode: pause of a replica fetcher after a partition or connection error.");
        d.define(REPLICA_FETCH_RESPONSE_MAX_BYTES, Type.INT, 10 * 1024 * 1024, Range.atLeast(0), Importance.MEDIUM,
            "Cluster mode: bytes a whole follower Fetch response may carry (the first batch comes even when larger).");
        d.define(REPLICA_SOCKET_TIMEOUT_MS, Type.INT, 30_000, Range.atLeast(1), Importance.MEDIUM,
            "Cluster mode: how long a replica fetcher waits for the leader's answer before it reconnects; at least "
                + "replica.fetch.wait.max.ms.");
    }

    /** Kafka's rule: a fetcher must not time out a Fetch the leader may legitimately hold. */
    private void validateReplicaFetcherRules() {
        final int socketTimeout = getInt(REPLICA_SOCKET_TIMEOUT_MS);
        final int wait = getInt(REPLICA_FETCH_WAIT_MAX_MS);
        if (socketTimeout < wait) {
            throw new ConfigException(REPLICA_SOCKET_TIMEOUT_MS, socketTimeout, "must be at least "
                + REPLICA_FETCH_WAIT_MAX_MS + " (" + wait + ") to prevent unnecessary socket timeouts");
        }
    }
}
