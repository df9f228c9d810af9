/**
 * Receive memory as the rest of the broker sees it, and reading from it: {@code RxChunk} is one reference-counted
 * piece of memory a transport received into (a zcrx area slice, a provided buffer, an NIO pool buffer),
 * {@code ChunkOwner} is the transport that gets it back when the count reaches zero, {@code SliceList} and
 * {@code GatherList} are ranges over chunks (a request frame, the payload of a write), and {@code SliceCursor}
 * reads Kafka's primitive types across slice boundaries. This is the shared contract between transports, framing
 * and the log store, so it depends on nothing else of the project; every class is single-threaded and meant to be
 * used on the reactor that received the bytes. A {@code ProtocolException} is a stream error: the bytes cannot be
 * what the protocol says, and the connection is closed (docs/design.md, "Code rules").
 */
package io.zcrx.ingest.protocol.bytes;
