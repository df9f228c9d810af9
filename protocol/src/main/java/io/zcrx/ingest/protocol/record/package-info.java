/**
 * Record batches (magic 2) checked where they lie in receive memory: {@code RecordBatchLayout} is the 61-byte
 * header as chained constants, {@code Crc32cOverSlices} computes CRC-32C over a range of slices without copying,
 * and {@code BatchValidator} applies Kafka's client-append checks in Kafka's order and with Kafka's error codes,
 * then leaves a copy of the header, patched where needed, for the log to write in front of the payload
 * (docs/kafka-protocol-notes.md#batch-validation); {@code RecordWalker} checks each record in place and
 * {@code BatchDecompressor} inflates compressed batches into scratch for it. {@code BatchValidationConfig} carries
 * the per-topic limits. Depends on {@code protocol.bytes} and kafka-clients' codecs and error codes; one validator
 * per reactor thread.
 */
package io.zcrx.ingest.protocol.record;
