package io.zcrx.ingest.broker.group;

/**
 * States of a classic group (docs/kafka-protocol-notes.md#consumer-groups), with the names Kafka reports in
 * DescribeGroups and ListGroups.
 *
 * <pre>
 *   Empty --join--> PreparingRebalance --all joined / timeout--> CompletingRebalance --leader sync--> Stable
 *     ^                 ^   |                                        |                               |
 *     |                 |   +--no member left------------------------|-------------------------------+--> (Empty)
 *     |                 +--member joins/leaves/times out, leader rejoins, protocol change-------------+
 *   Dead: removed (deleted, or empty with no offsets); a request that still holds it retries.
 * </pre>
 */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    /** The name on the wire (DescribeGroups GroupState, ListGroups GroupState). */
    public final String wireName;

    GroupState(String wireName) {
        this.wireName = wireName;
    }
}
