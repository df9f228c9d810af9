package io.zcrx.ingest.broker.group;

import java.util.List;

/**
 * A classic group as Kafka's {@code GroupMetadataValue} keeps it: protocol type, generation, chosen
 * protocol, leader, when it entered its current state, and the members of that generation with
 * the metadata of the chosen protocol and their assignment. Written when a generation completes,
 * read back when this broker takes over the group's {@code __consumer_offsets} partition.
 *
 * @param protocolType          "" for a group that holds only offsets (Kafka writes "" for none)
 * @param protocol              null while Empty
 * @param leader                null while Empty
 */
public record StoredGroup(String groupId, String protocolType, int generation, String protocol, String leader,
                          long currentStateTimestampMs, List<Member> members) {

    /** One member of the generation ({@code GroupMetadataValue.MemberMetadata}). */
    public record Member(String memberId, String groupInstanceId, String clientId, String clientHost,
                         int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }
}
