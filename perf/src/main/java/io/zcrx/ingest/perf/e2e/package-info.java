/**
 * The side-by-side comparison behind {@code bin/perf-compare.sh}: {@code CompareMain} parses the options
 * ({@code CompareOptions}, with profiles), {@code Compare} plans every (file system, load, repetition, target) run
 * with targets interleaved, {@code Runner} starts one target fresh ({@code KafkaReferenceTarget},
 * {@code ZcrxBrokerTarget}, {@code SinkTarget}), drives one load against it and bills its CPU from /proc, and
 * {@code Summary}, {@code Report} and {@code Chart} write the Markdown, CSV and PNG. Targets and loads are separate
 * processes; the harness itself is single-threaded apart from one output pump per child process. Depends on
 * {@code perf.load}, {@code perf.proc} and {@code perf.sink}; it starts the broker only through its command line,
 * never through its classes.
 */
package io.zcrx.ingest.perf.e2e;
