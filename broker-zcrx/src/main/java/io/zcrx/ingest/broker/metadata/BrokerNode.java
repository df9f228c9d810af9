package io.zcrx.ingest.broker.metadata;

/**
 * A broker as clients are told about it (Metadata, DescribeCluster, FindCoordinator, the
 * NOT_LEADER_OR_FOLLOWER hints of KIP-951) or a replica fetcher connects to it: its node id, its endpoint
 * on one listener (a {@link ClusterView} keeps one BrokerNode per broker and listener), and its rack
 * ({@code broker.rack}, null when unset).
 */
public record BrokerNode(int id, String host, int port, String rack) {
}
