/**
 * Fetch: {@code FetchHandler} answers each partition with a region of its segment file ({@code FileRegionRecords}),
 * declines fetch sessions, applies the size limits, and parks a request that has less than {@code MinBytes} as a
 * long poll in {@code FetchWaiters}, which an append or the timer wakes (docs/read-path.md). Handlers run on the
 * connection's reactor; {@code FetchWaiters} is called from any thread. Depends on {@code request} and what it may
 * use, and on {@code log-store}.
 */
package io.zcrx.ingest.broker.fetch;
