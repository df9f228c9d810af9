/**
 * Produce requests and responses on the hot path, versions 3 to 13: {@code ProduceDecoder} checks a whole request
 * body over its slices before anything is appended and records positions in a reusable {@code ProduceRequestView};
 * {@code ProduceResults} collects one outcome per partition; and {@code ProduceResponseEncoder} writes the response
 * straight into an output buffer, byte for byte what kafka-clients would produce
 * (docs/kafka-protocol-notes.md#produce). Nothing here copies payload or allocates per request. Depends on
 * {@code protocol.bytes} and {@code protocol.header}; single-threaded, reused per connection.
 */
package io.zcrx.ingest.protocol.produce;
