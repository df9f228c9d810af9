/**
 * The request header, read in place: {@code RequestHeaderView} is a flyweight over a frame that yields api key,
 * version, correlation id and client id (kept as a position, decoded only when asked) and skips tagged fields,
 * choosing header v1 or v2 from kafka-clients' own version table. It also reads the header of an ApiVersions
 * request newer than any version it knows, which the downgrade reply needs
 * (docs/kafka-protocol-notes.md#request-and-response-headers). Depends on {@code protocol.bytes} and kafka-clients'
 * {@code ApiKeys}; one view per connection.
 */
package io.zcrx.ingest.protocol.header;
