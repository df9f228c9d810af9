package io.zcrx.ingest.broker.group;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where the coordinator keeps what outlives a member's session: committed offsets (read by
 * OffsetFetch from memory, written before a commit is answered) and, in cluster mode, each group's
 * metadata. Two implementations: {@link OffsetStore}, the standalone broker's private journal
 * (offsets only; membership is not persisted), and {@link OffsetsTopicStore}, cluster mode's
 * {@code __consumer_offsets} partitions in Apache Kafka's record format.
 *
 * <p>Implementations are thread-safe; the coordinator calls them with the group's monitor held.
 */
public interface GroupStore {
    /** Groups with at least one committed offset (those this node coordinates). */
    List<String> groupIds();

    /** A copy of the group's committed offsets (empty when none). */
    Map<TopicPartition, CommittedOffset> offsets(String group);

    /** The group's committed offset of {@code tp}, or null. */
    CommittedOffset offset(String group, TopicPartition tp);

    boolean hasOffsets(String group);

    /** Persists and applies a commit of several partitions at once: all or, on failure, none. */
    void commit(String group, Map<TopicPartition, CommittedOffset> offsets) throws IOException;

    /** Removes some offsets of a group (expiry, OffsetDelete, a deleted topic). */
    void delete(String group, Collection<TopicPartition> partitions) throws IOException;

    /** Removes the group: every offset and its metadata (DeleteGroups). */
    void deleteGroup(String group) throws IOException;

    /**
     * A group's new generation (Stable with its assignment, or Empty): where membership is
     * persisted, written before the members are answered. The standalone journal does not keep it.
     */
    default void storeGroup(StoredGroup group) throws IOException {
    }

    /** An Empty group without offsets went away (Kafka's tombstone for a persisted group). */
    default void groupRemoved(String group) throws IOException {
    }

    /**
     * Whether this node coordinates the group now: NONE, NOT_COORDINATOR (another broker leads its
     * {@code __consumer_offsets} partition) or COORDINATOR_LOAD_IN_PROGRESS (being loaded here).
     */
    default Errors coordinatorError(String group) {
        return Errors.NONE;
    }
}
