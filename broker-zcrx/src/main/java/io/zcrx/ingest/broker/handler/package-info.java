/**
 * One class per control-plane API (everything but Produce and Fetch): ApiVersions with {@code ApiVersionTable}
 * (what we advertise), Metadata, InitProducerId, CreateTopics, DeleteTopics, CreatePartitions, DescribeCluster,
 * DescribeConfigs, ListOffsets, OffsetForLeaderEpoch, and the group APIs (FindCoordinator, JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, OffsetDelete, DescribeGroups, ListGroups, DeleteGroups)
 * between the wire and the group coordinator or the offset manager. Each parses its request with kafka-clients'
 * generated classes and answers through its {@code request.RequestContext}; handlers are shared by every reactor, so
 * they are thread-safe. Depends on {@code request} and what it may use, and on {@code group} for the group APIs.
 */
package io.zcrx.ingest.broker.handler;
