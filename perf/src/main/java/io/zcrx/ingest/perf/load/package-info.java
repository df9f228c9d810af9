/**
 * Load generators run as child processes of the comparison: {@code FirehoseMain}/{@code Firehose} pipelines
 * pre-built Produce requests on many connections from one thread and one selector, re-stamping only correlation ids
 * and, for idempotent batches, sequences and CRCs ({@code ProduceTemplate}, {@code SequenceCrcPatch}), and checks
 * every response in place ({@code ProduceResponseChecker}); {@code ControlClient} makes the requests a producer
 * sends before producing; {@code ProducerPerfMain} wraps Kafka's own {@code kafka-producer-perf-test} and reports
 * its CPU time. Depends on {@code perf.proc}, {@code protocol.record} and kafka-clients; nothing here allocates per
 * request once running.
 */
package io.zcrx.ingest.perf.load;
