/**
 * Outbound memory, shared by every transport: {@code OutboundBlockPool} is a reactor's pool of fixed direct-memory
 * blocks, {@code OutboundQueue} a connection's queue of those blocks and of file regions, whose memory never moves
 * until it has been sent (so an io_uring SEND may still be reading a block while more responses are appended behind
 * it), and {@code OutboundWritable} encodes a kafka-clients message straight into a queue, records given as
 * {@code FileRegionRecords} as file regions, which is how Fetch responses reach the socket without passing through
 * the heap. Reactor thread only. Depends on nothing of the broker.
 */
package io.zcrx.ingest.broker.transport.outbound;
