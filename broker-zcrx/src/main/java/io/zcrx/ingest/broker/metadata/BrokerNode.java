package io.zcrx.ingest.broker.metadata;

/**
 * A broker as clients are told about it (Metadata, DescribeCluster, FindCoordinator, the
 * NOT_LEADER_OR_FOLLOWER hints of KIP-951): its node id and the endpoint of the listener this
 * broker serves clients on, and its rack ({@code broker.rack}, null when unset).
 */
public record BrokerNode(int id, String host, int port, String rack) {
}
