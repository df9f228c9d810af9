/**
 * The broker's background threads and small shared services: {@code TimerService} and {@code ScheduledTimerService}
 * (thread {@code zcrx-timer}: group timeouts, Fetch long-poll expiry), {@code LogFlusher} (thread
 * {@code zcrx-log-flusher}: every fsync of a partition log, flush policy and group commit), {@code LogScheduler}
 * (thread {@code zcrx-log-scheduler}: checkpoints, retention, producer and offset expiry, the offsets journal
 * fsync) and {@code RateLimitedLog}. None of these threads is a reactor, and none blocks one (docs/design.md,
 * "Threads"). Depends on {@code config} and {@code log-store}.
 */
package io.zcrx.ingest.broker.runtime;
