package io.zcrx.ingest.broker.config;

import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.protocol.record.BatchValidationConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topic-level settings this broker implements (Kafka's names), each backed by a broker
 * setting that supplies its default ({@code segment.bytes} by {@code log.segment.bytes}, ...).
 * Overrides come from CreateTopics and are validated here; anything else (tiered storage, ...)
 * is refused with INVALID_CONFIG rather than silently ignored.
 *
 * <p>Stateless; thread-safe.
 */
public final class TopicConfigs {

    /** Where a topic setting's value comes from (DescribeConfigs' ConfigSource). */
    public enum Source {
        TOPIC_CONFIG((byte) 1), STATIC_BROKER_CONFIG((byte) 4), DEFAULT_CONFIG((byte) 5);

        public final byte id;

        Source(byte id) {
            this.id = id;
        }
    }

    /** One effective topic setting. */
    public record Entry(String name, String value, Source source, String brokerSynonym, String documentation,
                        ConfigDef.Type type) {
    }

    private static final Map<String, String> BROKER_SYNONYM = new LinkedHashMap<>();
    private static final ConfigDef DEF = new ConfigDef();

    static {
        define(TopicConfig.CLEANUP_POLICY_CONFIG, Type.LIST, BrokerConfig.LOG_CLEANUP_POLICY,
            ConfigDef.ValidList.in(false, "compact", "delete"),
            "delete (retention), compact (the log cleaner keeps the last record of each key) or compact,delete.");
        define(TopicConfig.DELETE_RETENTION_MS_CONFIG, Type.LONG, BrokerConfig.LOG_CLEANER_DELETE_RETENTION_MS,
            Range.atLeast(0L), "Compacted topics: how long a tombstone stays after the clean that first kept it.");
        define(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, Type.DOUBLE, BrokerConfig.LOG_CLEANER_MIN_CLEANABLE_RATIO,
            Range.between(0.0, 1.0), "Compacted topics: dirty bytes over all bytes above which the log is cleaned.");
        define(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Type.LONG, BrokerConfig.LOG_CLEANER_MIN_COMPACTION_LAG_MS,
            Range.atLeast(0L), "Compacted topics: a record stays uncompacted at least this long.");
        define(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Type.LONG, BrokerConfig.LOG_CLEANER_MAX_COMPACTION_LAG_MS,
            Range.atLeast(1L), "Compacted topics: a dirty record is compacted at the latest this long after it was "
                + "written.");
        define(TopicConfig.COMPRESSION_TYPE_CONFIG, Type.STRING, BrokerConfig.COMPRESSION_TYPE,
            ValidString.in("producer"),
            "Batches are stored as the producer compressed them.");
        define(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Type.INT, BrokerConfig.MESSAGE_MAX_BYTES, Range.atLeast(61),
            "Largest record batch accepted.");
        define(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, Type.STRING, BrokerConfig.LOG_MESSAGE_TIMESTAMP_TYPE,
            ValidString.in("CreateTime", "LogAppendTime"), "CreateTime or LogAppendTime.");
        define(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Type.LONG,
            BrokerConfig.LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Range.atLeast(0L), "How old a CreateTime may be.");
        define(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Type.LONG,
            BrokerConfig.LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS, Range.atLeast(0L), "How far ahead a CreateTime may be.");
        define(TopicConfig.RETENTION_MS_CONFIG, Type.LONG, BrokerConfig.LOG_RETENTION_MS, Range.atLeast(-1L),
            "Delete segments older than this (-1 = forever).");
        define(TopicConfig.RETENTION_BYTES_CONFIG, Type.LONG, BrokerConfig.LOG_RETENTION_BYTES, Range.atLeast(-1L),
            "Delete oldest segments while the partition is larger (-1 = no limit).");
        define(TopicConfig.SEGMENT_BYTES_CONFIG, Type.INT, BrokerConfig.LOG_SEGMENT_BYTES, Range.atLeast(1024),
            "Segment size before a roll.");
        define(TopicConfig.SEGMENT_MS_CONFIG, Type.LONG, BrokerConfig.LOG_ROLL_MS, Range.atLeast(1L),
            "Segment age before a roll.");
        define(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, Type.INT, BrokerConfig.LOG_INDEX_SIZE_MAX_BYTES,
            Range.atLeast(4096), "Preallocated index size.");
        define(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Type.INT, BrokerConfig.LOG_INDEX_INTERVAL_BYTES,
            Range.atLeast(0), "Bytes between index entries.");
        define(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Type.LONG, BrokerConfig.LOG_FLUSH_INTERVAL_MESSAGES,
            Range.atLeast(1L), "fsync after this many messages.");
        define(TopicConfig.FLUSH_MS_CONFIG, Type.LONG, BrokerConfig.LOG_FLUSH_INTERVAL_MS, Range.atLeast(0L),
            "fsync when unflushed data is this old.");
        define(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, Type.LONG, BrokerConfig.LOG_SEGMENT_DELETE_DELAY_MS,
            Range.atLeast(0L), "How long a deleted segment stays on disk before removal.");
        define(TopicConfig.PREALLOCATE_CONFIG, Type.BOOLEAN, BrokerConfig.LOG_PREALLOCATE, null,
            "Preallocate segment files.");
        define(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, Type.BOOLEAN,
            BrokerConfig.UNCLEAN_LEADER_ELECTION_ENABLE, null,
            "Whether the controller may elect a replica outside the ISR (cluster mode).");
        define(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Type.INT, BrokerConfig.MIN_INSYNC_REPLICAS, Range.atLeast(1),
            "The fewest in-sync replicas an acks=all write needs (capped at the replica count).");
    }

    private static void define(String name, Type type, String brokerKey, ConfigDef.Validator validator, String doc) {
        BROKER_SYNONYM.put(name, brokerKey);
        DEF.define(name, type, ConfigDef.NO_DEFAULT_VALUE, validator, Importance.MEDIUM, doc);
    }

    private TopicConfigs() {
    }

    /** The topic settings we implement, in a stable order. */
    public static Iterable<String> names() {
        return Collections.unmodifiableSet(BROKER_SYNONYM.keySet());
    }

    /** The valid values of a topic setting, for the configuration reference. */
    public static String validRange(String name) {
        final ConfigDef.ConfigKey k = DEF.configKeys().get(name);
        return k.validator == null ? k.type.toString().toLowerCase() : k.validator.toString();
    }

    public static boolean isSupported(String name) {
        return BROKER_SYNONYM.containsKey(name);
    }

    /** True if broker setting {@code brokerKey} is the default of one of our topic settings (dynamic in Kafka). */
    public static boolean isBrokerDefault(String brokerKey) {
        return BROKER_SYNONYM.containsValue(brokerKey);
    }

    /** The broker setting that supplies topic setting {@code name}'s default, or null. */
    public static String brokerSynonym(String name) {
        return BROKER_SYNONYM.get(name);
    }

    /**
     * Validates overrides (CreateTopics configs). Returns them normalised (parsed and printed back)
     * in key order.
     *
     * @throws ConfigException naming the key and value at fault
     */
    public static Map<String, String> validate(Map<String, String> overrides) {
        final Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            final String key = e.getKey();
            final String value = e.getValue();
            if (!isSupported(key)) {
                throw new ConfigException(key, value, "unknown or unsupported topic config; supported: "
                    + String.join(", ", BROKER_SYNONYM.keySet()));
            }
            if (value == null) {
                throw new ConfigException(key, null, "a value is required");
            }
            final ConfigDef.ConfigKey ck = DEF.configKeys().get(key);
            final Object parsed = ConfigDef.parseType(key, value.trim(), ck.type);
            if (ck.validator != null) {
                ck.validator.ensureValid(key, parsed);
            }
            out.put(key, ConfigDef.convertToString(parsed, ck.type));
        }
        return out;
    }

    /** Every topic setting with its effective value and source, in a stable order. */
    public static Map<String, Entry> effective(BrokerConfig broker, Map<String, String> overrides) {
        final Map<String, Entry> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : BROKER_SYNONYM.entrySet()) {
            final String name = e.getKey();
            final String brokerKey = e.getValue();
            final ConfigDef.ConfigKey ck = DEF.configKeys().get(name);
            final String override = overrides.get(name);
            if (override != null) {
                out.put(name, new Entry(name, override, Source.TOPIC_CONFIG, brokerKey, ck.documentation, ck.type));
            } else {
                final boolean explicit = broker.originals().containsKey(brokerKey);
                out.put(name, new Entry(name, brokerDefault(broker, name), explicit ? Source.STATIC_BROKER_CONFIG
                    : Source.DEFAULT_CONFIG, brokerKey, ck.documentation, ck.type));
            }
        }
        return out;
    }

    /** The broker-level value that stands for topic setting {@code name} when a topic has no override. */
    static String brokerDefault(BrokerConfig b, String name) {
        switch (name) {
            case TopicConfig.CLEANUP_POLICY_CONFIG:
                return String.join(",", b.getList(BrokerConfig.LOG_CLEANUP_POLICY));
            case TopicConfig.DELETE_RETENTION_MS_CONFIG:
                return String.valueOf(b.getLong(BrokerConfig.LOG_CLEANER_DELETE_RETENTION_MS));
            case TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG:
                return String.valueOf(b.getDouble(BrokerConfig.LOG_CLEANER_MIN_CLEANABLE_RATIO));
            case TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG:
                return String.valueOf(b.getLong(BrokerConfig.LOG_CLEANER_MIN_COMPACTION_LAG_MS));
            case TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG:
                return String.valueOf(b.getLong(BrokerConfig.LOG_CLEANER_MAX_COMPACTION_LAG_MS));
            case TopicConfig.COMPRESSION_TYPE_CONFIG:
                return b.getString(BrokerConfig.COMPRESSION_TYPE);
            case TopicConfig.MAX_MESSAGE_BYTES_CONFIG:
                return String.valueOf(b.messageMaxBytes());
            case TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG:
                return b.getString(BrokerConfig.LOG_MESSAGE_TIMESTAMP_TYPE);
            case TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG:
                return String.valueOf(b.getLong(BrokerConfig.LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS));
            case TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG:
                return String.valueOf(b.getLong(BrokerConfig.LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS));
            case TopicConfig.RETENTION_MS_CONFIG:
                return String.valueOf(b.logRetentionMs());
            case TopicConfig.RETENTION_BYTES_CONFIG:
                return String.valueOf(b.getLong(BrokerConfig.LOG_RETENTION_BYTES));
            case TopicConfig.SEGMENT_BYTES_CONFIG:
                return String.valueOf(b.getInt(BrokerConfig.LOG_SEGMENT_BYTES));
            case TopicConfig.SEGMENT_MS_CONFIG:
                return String.valueOf(b.logRollMs());
            case TopicConfig.SEGMENT_INDEX_BYTES_CONFIG:
                return String.valueOf(b.getInt(BrokerConfig.LOG_INDEX_SIZE_MAX_BYTES));
            case TopicConfig.INDEX_INTERVAL_BYTES_CONFIG:
                return String.valueOf(b.getInt(BrokerConfig.LOG_INDEX_INTERVAL_BYTES));
            case TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG:
                return String.valueOf(b.getLong(BrokerConfig.LOG_FLUSH_INTERVAL_MESSAGES));
            case TopicConfig.FLUSH_MS_CONFIG:
                return String.valueOf(b.logFlushIntervalMs());
            case TopicConfig.FILE_DELETE_DELAY_MS_CONFIG:
                return String.valueOf(b.getLong(BrokerConfig.LOG_SEGMENT_DELETE_DELAY_MS));
            case TopicConfig.PREALLOCATE_CONFIG:
                return String.valueOf(b.getBoolean(BrokerConfig.LOG_PREALLOCATE));
            case TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG:
                return String.valueOf(b.getInt(BrokerConfig.MIN_INSYNC_REPLICAS));
            case TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG:
                return String.valueOf(b.getBoolean(BrokerConfig.UNCLEAN_LEADER_ELECTION_ENABLE));
            default:
                throw new IllegalArgumentException("not a topic config: " + name);
        }
    }

    private static String value(BrokerConfig b, Map<String, String> overrides, String name) {
        final String v = overrides.get(name);
        return v != null ? v : brokerDefault(b, name);
    }

    /** Whether a topic's {@code cleanup.policy} list contains {@code policy} ("compact" or "delete"). */
    public static boolean hasCleanupPolicy(BrokerConfig b, Map<String, String> overrides, String policy) {
        for (String p : value(b, overrides, TopicConfig.CLEANUP_POLICY_CONFIG).split(",")) {
            if (p.trim().equals(policy)) {
                return true;
            }
        }
        return false;
    }

    /** The storage settings of a topic's partitions. */
    public static LogConfig logConfig(BrokerConfig b, Map<String, String> overrides) {
        return LogConfig.builder()
            .cleanupPolicy(hasCleanupPolicy(b, overrides, TopicConfig.CLEANUP_POLICY_COMPACT),
                hasCleanupPolicy(b, overrides, TopicConfig.CLEANUP_POLICY_DELETE))
            .deleteRetentionMs(Long.parseLong(value(b, overrides, TopicConfig.DELETE_RETENTION_MS_CONFIG)))
            .minCleanableDirtyRatio(Double.parseDouble(value(b, overrides,
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG)))
            .minCompactionLagMs(Long.parseLong(value(b, overrides, TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG)))
            .maxCompactionLagMs(Long.parseLong(value(b, overrides, TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG)))
            .maxMessageBytes(Integer.parseInt(value(b, overrides, TopicConfig.MAX_MESSAGE_BYTES_CONFIG)))
            .segmentBytes(Integer.parseInt(value(b, overrides, TopicConfig.SEGMENT_BYTES_CONFIG)))
            .segmentMs(Long.parseLong(value(b, overrides, TopicConfig.SEGMENT_MS_CONFIG)))
            .segmentIndexBytes(Integer.parseInt(value(b, overrides, TopicConfig.SEGMENT_INDEX_BYTES_CONFIG)))
            .indexIntervalBytes(Integer.parseInt(value(b, overrides, TopicConfig.INDEX_INTERVAL_BYTES_CONFIG)))
            .retentionMs(Long.parseLong(value(b, overrides, TopicConfig.RETENTION_MS_CONFIG)))
            .retentionBytes(Long.parseLong(value(b, overrides, TopicConfig.RETENTION_BYTES_CONFIG)))
            .flushMessages(Long.parseLong(value(b, overrides, TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG)))
            .flushMs(Long.parseLong(value(b, overrides, TopicConfig.FLUSH_MS_CONFIG)))
            .preallocate(Boolean.parseBoolean(value(b, overrides, TopicConfig.PREALLOCATE_CONFIG)))
            .fileDeleteDelayMs(Long.parseLong(value(b, overrides, TopicConfig.FILE_DELETE_DELAY_MS_CONFIG)))
            .build();
    }

    /** The batch checks of a topic. */
    public static BatchValidationConfig validationConfig(BrokerConfig b, Map<String, String> overrides) {
        final BatchValidationConfig v = new BatchValidationConfig();
        v.maxMessageBytes = Integer.parseInt(value(b, overrides, TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
        v.logAppendTime = "LogAppendTime".equals(value(b, overrides, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG));
        v.timestampBeforeMaxMs =
            Long.parseLong(value(b, overrides, TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG));
        v.timestampAfterMaxMs = Long.parseLong(value(b, overrides, TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG));
        v.compacted = hasCleanupPolicy(b, overrides, TopicConfig.CLEANUP_POLICY_COMPACT);
        return v;
    }
}
