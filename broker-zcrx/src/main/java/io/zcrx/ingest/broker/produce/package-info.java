/**
 * The Produce hot path: {@code ProduceHandler} decodes a request over the frame's slices, checks each partition's
 * batch in place, appends it with one gather write and encodes the response straight into the connection's outbound
 * blocks; {@code TopicLookupCache} finds topics by the name bytes or id in the frame without allocating; with group
 * commit, {@code DurableAcks} and {@code DeferredProduce} park acks=all responses until the flusher has synced
 * their batches (docs/durability.md). Runs on the reactor that decoded the request. Depends on {@code request} and
 * what it may use, {@code protocol} and {@code log-store}.
 */
package io.zcrx.ingest.broker.produce;
