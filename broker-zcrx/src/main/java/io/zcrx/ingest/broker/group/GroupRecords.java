package io.zcrx.ingest.broker.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.coordinator.group.generated.CoordinatorRecordType;
import org.apache.kafka.coordinator.group.generated.GroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;

/**
 * The records of {@code __consumer_offsets} as Apache Kafka's group coordinator writes and reads
 * them (docs/design.md, "Consumer groups in a cluster"), built from the schema classes Kafka
 * generates ({@code org.apache.kafka.coordinator.group.generated}) with Kafka's framing:
 *
 * <pre>
 *   key   := INT16 record type (CoordinatorRecordType: 0/1 OffsetCommit, 2 GroupMetadata) | key message
 *   value := INT16 value version | value message           (null value = tombstone: the key is deleted)
 * </pre>
 *
 * The key is written at version 0 ({@code MessageUtil.toCoordinatorTypePrefixedBytes}) and read at
 * the record type as version (as Kafka's {@code CoordinatorRecordSerde}); values are written at the
 * versions Kafka 4.x writes ({@code GroupCoordinatorRecordHelpers}): OffsetCommitValue v3, or v1
 * when an explicit expiry (OffsetCommit v2-v4 retention) must be kept; GroupMetadataValue v3.
 *
 * <p>Stateless; thread-safe.
 */
public final class GroupRecords {
    /** The highest non-flexible OffsetCommitValue version, Kafka's choice without an expiry. */
    static final short OFFSET_COMMIT_VALUE_VERSION = 3;
    /** The only OffsetCommitValue version with a non-default expire timestamp. */
    static final short OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY = 1;
    static final short GROUP_METADATA_VALUE_VERSION = 3;

    private GroupRecords() {
    }

    // ---- writing ------------------------------------------------------------------------------

    public static SimpleRecord offsetCommit(long timestampMs, String group, TopicPartition tp, CommittedOffset c) {
        final OffsetCommitValue v = new OffsetCommitValue().setOffset(c.offset()).setLeaderEpoch(c.leaderEpoch())
            .setMetadata(c.metadata()).setCommitTimestamp(c.commitTimestampMs())
            .setExpireTimestamp(c.expireTimestampMs());
        final short version = c.expireTimestampMs() >= 0 ? OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY
            : OFFSET_COMMIT_VALUE_VERSION;
        return new SimpleRecord(timestampMs, offsetCommitKey(group, tp),
            MessageUtil.toVersionPrefixedBytes(version, v));
    }

    public static SimpleRecord offsetCommitTombstone(long timestampMs, String group, TopicPartition tp) {
        return new SimpleRecord(timestampMs, offsetCommitKey(group, tp), null);
    }

    public static SimpleRecord groupMetadata(long timestampMs, StoredGroup g) {
        final List<GroupMetadataValue.MemberMetadata> members = new ArrayList<>(g.members().size());
        for (StoredGroup.Member m : g.members()) {
            members.add(new GroupMetadataValue.MemberMetadata().setMemberId(m.memberId())
                .setGroupInstanceId(m.groupInstanceId()).setClientId(m.clientId()).setClientHost(m.clientHost())
                .setRebalanceTimeout(m.rebalanceTimeoutMs()).setSessionTimeout(m.sessionTimeoutMs())
                .setSubscription(m.subscription()).setAssignment(m.assignment()));
        }
        final GroupMetadataValue v = new GroupMetadataValue().setProtocolType(g.protocolType())
            .setGeneration(g.generation()).setProtocol(g.protocol()).setLeader(g.leader())
            .setCurrentStateTimestamp(g.currentStateTimestampMs()).setMembers(members);
        return new SimpleRecord(timestampMs, groupMetadataKey(g.groupId()),
            MessageUtil.toVersionPrefixedBytes(GROUP_METADATA_VALUE_VERSION, v));
    }

    public static SimpleRecord groupMetadataTombstone(long timestampMs, String group) {
        return new SimpleRecord(timestampMs, groupMetadataKey(group), null);
    }

    private static byte[] offsetCommitKey(String group, TopicPartition tp) {
        return MessageUtil.toCoordinatorTypePrefixedBytes(new OffsetCommitKey().setGroup(group).setTopic(tp.topic())
            .setPartition(tp.partition()));
    }

    private static byte[] groupMetadataKey(String group) {
        return MessageUtil.toCoordinatorTypePrefixedBytes(new GroupMetadataKey().setGroup(group));
    }

    // ---- reading ------------------------------------------------------------------------------

    /** One record read back: what it means for the group coordinator. */
    public sealed interface Replayed permits OffsetCommitted, OffsetRemoved, GroupStored, GroupRemoved, Other {
        /** The group the record belongs to, or null for {@link Other}. */
        String groupId();
    }

    public record OffsetCommitted(String groupId, TopicPartition partition, CommittedOffset offset)
        implements Replayed {
    }

    public record OffsetRemoved(String groupId, TopicPartition partition) implements Replayed {
    }

    public record GroupStored(String groupId, StoredGroup group) implements Replayed {
    }

    public record GroupRemoved(String groupId) implements Replayed {
    }

    /**
     * A record of a group type this broker does not run (KIP-848 consumer, share, streams groups),
     * or of a type newer than this Kafka version knows (skipped, as Kafka's loader skips it).
     */
    public record Other(short typeId) implements Replayed {
        @Override
        public String groupId() {
            return null;
        }
    }

    /**
     * Decodes one record; throws IllegalArgumentException naming what is wrong for a key or value
     * that does not parse (no type, an unsupported value version, bad bytes).
     */
    public static Replayed decode(ByteBuffer key, ByteBuffer value) {
        if (key == null || key.remaining() < 2) {
            throw new IllegalArgumentException("__consumer_offsets record without a type-prefixed key");
        }
        final ByteBuffer k = key.duplicate();
        final short typeId = k.getShort();
        final CoordinatorRecordType type;
        try {
            type = CoordinatorRecordType.fromId(typeId);
        } catch (UnsupportedVersionException e) {
            return new Other(typeId);
        }
        switch (type) {
            case LEGACY_OFFSET_COMMIT:
            case OFFSET_COMMIT: {
                final OffsetCommitKey ok = read(new OffsetCommitKey(), k, typeId, "key of type " + typeId);
                final TopicPartition tp = new TopicPartition(ok.topic(), ok.partition());
                if (value == null) {
                    return new OffsetRemoved(ok.group(), tp);
                }
                final OffsetCommitValue v = readValue(new OffsetCommitValue(), value, typeId);
                return new OffsetCommitted(ok.group(), tp, new CommittedOffset(v.offset(), v.leaderEpoch(),
                    v.metadata() == null ? "" : v.metadata(), v.commitTimestamp(), v.expireTimestamp()));
            }
            case GROUP_METADATA: {
                final GroupMetadataKey gk = read(new GroupMetadataKey(), k, typeId, "key of type " + typeId);
                if (value == null) {
                    return new GroupRemoved(gk.group());
                }
                final GroupMetadataValue v = readValue(new GroupMetadataValue(), value, typeId);
                final List<StoredGroup.Member> members = new ArrayList<>(v.members().size());
                for (GroupMetadataValue.MemberMetadata m : v.members()) {
                    members.add(new StoredGroup.Member(m.memberId(), m.groupInstanceId(), m.clientId(),
                        m.clientHost(), m.rebalanceTimeout(), m.sessionTimeout(), m.subscription(), m.assignment()));
                }
                return new GroupStored(gk.group(), new StoredGroup(gk.group(),
                    v.protocolType() == null ? "" : v.protocolType(), v.generation(), v.protocol(), v.leader(),
                    v.currentStateTimestamp(), members));
            }
            default:
                return new Other(typeId);
        }
    }

    private static <T extends ApiMessage> T readValue(T message, ByteBuffer value, short typeId) {
        final ByteBuffer v = value.duplicate();
        if (v.remaining() < 2) {
            throw new IllegalArgumentException("value of record type " + typeId + " has no version");
        }
        final short version = v.getShort();
        if (version < message.lowestSupportedVersion() || version > message.highestSupportedVersion()) {
            throw new IllegalArgumentException("value of record type " + typeId + " has unsupported version "
                + version + " (supported " + message.lowestSupportedVersion() + "-"
                + message.highestSupportedVersion() + ")");
        }
        return read(message, v, version, "value of type " + typeId);
    }

    private static <T extends ApiMessage> T read(T message, ByteBuffer buf, short version, String what) {
        try {
            message.read(new ByteBufferAccessor(buf), version);
            return message;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read __consumer_offsets " + what + " at version " + version
                + ": " + e.getMessage(), e);
        }
    }
}
