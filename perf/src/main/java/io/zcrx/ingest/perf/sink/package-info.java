/**
 * The physical limit of the comparison: a TCP sink that only receives and writes each connection's bytes to a file
 * on the same file system. {@code CSinkBuilder} compiles the C version ({@code tcp_sink.c}, a resource here) at run
 * time, and {@code JavaTcpSink} is the fallback when no compiler is present; both use one thread per connection.
 * Depends on nothing else of the project.
 */
package io.zcrx.ingest.perf.sink;
