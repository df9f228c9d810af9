/**
 * JMH micro-benchmarks of the hot path's pieces, each measured for time and bytes allocated per operation
 * ({@code -prof gc}): frame assembly, header and Produce decode, CRC-32C over slices, batch validation, the log
 * append and index appends, over a Produce frame cut into 1, 2 or 16 native chunks ({@code SlicedFrame}).
 * {@code JmhMain} runs them and writes the report behind {@code bin/perf-jmh.sh}. Depends on {@code protocol},
 * {@code log-store}, {@code perf.load} and {@code perf.e2e}; JMH owns the threads.
 */
package io.zcrx.ingest.perf.micro;
