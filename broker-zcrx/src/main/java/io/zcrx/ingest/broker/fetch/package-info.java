/**
 * Fetch: {@code FetchHandler} answers each partition with a region of its segment file (a
 * {@code transport.outbound.FileRegionRecords}, sent with sendfile), declines fetch sessions, applies the size
 * limits, and parks a request that has less than {@code MinBytes} as a long poll in {@code request.FetchWaiters},
 * which an append or the timer wakes (docs/read-path.md). Runs on the connection's reactor. Depends on
 * {@code request} and what it may use, and on {@code log-store}.
 */
package io.zcrx.ingest.broker.fetch;
