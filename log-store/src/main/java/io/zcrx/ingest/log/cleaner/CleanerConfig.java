package io.zcrx.ingest.log.cleaner;

/**
 * The broker's cleaner settings (Kafka's names; the broker validates ranges before it builds one).
 *
 * @param enabled           {@code log.cleaner.enable}
 * @param threads           {@code log.cleaner.threads}
 * @param maxIoBytesPerSecond {@code log.cleaner.io.max.bytes.per.second}: all cleaner threads' reads and writes
 * @param dedupeBufferSize  {@code log.cleaner.dedupe.buffer.size}: offset-map memory, split between the threads
 * @param ioBufferSize      {@code log.cleaner.io.buffer.size}: read plus write buffer memory, split between threads
 * @param loadFactor        {@code log.cleaner.io.buffer.load.factor}: how full an offset map may get (0.9)
 * @param backoffMs         {@code log.cleaner.backoff.ms}: sleep when no log needs cleaning
 * @param throttleCheckIntervalMs how often the I/O throttle compares the rate with the limit (Kafka's cleaner
 *                          throttler checks every 300 ms; not a broker setting: tests shorten it so that a small
 *                          clean on a fast machine still meets the throttle)
 */
public record CleanerConfig(boolean enabled, int threads, double maxIoBytesPerSecond, long dedupeBufferSize,
                            int ioBufferSize, double loadFactor, long backoffMs, long throttleCheckIntervalMs) {

    /** Kafka's throttle check interval. */
    public static final long THROTTLE_CHECK_INTERVAL_MS = 300L;

    public CleanerConfig {
        if (threads < 1 || dedupeBufferSize < 1 || ioBufferSize < 2 || !(loadFactor > 0 && loadFactor <= 1)
                || backoffMs < 0 || !(maxIoBytesPerSecond > 0) || throttleCheckIntervalMs < 1) {
            throw new IllegalArgumentException("invalid cleaner config: threads=" + threads + ", dedupeBufferSize="
                + dedupeBufferSize + ", ioBufferSize=" + ioBufferSize + ", loadFactor=" + loadFactor + ", backoffMs="
                + backoffMs + ", maxIoBytesPerSecond=" + maxIoBytesPerSecond + ", throttleCheckIntervalMs="
                + throttleCheckIntervalMs);
        }
    }

    /** With Kafka's throttle check interval. */
    public CleanerConfig(boolean enabled, int threads, double maxIoBytesPerSecond, long dedupeBufferSize,
                         int ioBufferSize, double loadFactor, long backoffMs) {
        this(enabled, threads, maxIoBytesPerSecond, dedupeBufferSize, ioBufferSize, loadFactor, backoffMs,
            THROTTLE_CHECK_INTERVAL_MS);
    }

    /** Kafka's defaults: 1 thread, 128 MiB dedupe, 512 KiB I/O, unthrottled, 15 s backoff. */
    public static CleanerConfig defaults() {
        return new CleanerConfig(true, 1, Double.MAX_VALUE, 128L * 1024 * 1024, 512 * 1024, 0.9, 15_000L);
    }

    /** Offset-map memory of one thread (Kafka caps it below 2 GiB). */
    long dedupeBytesPerThread() {
        return Math.min(dedupeBufferSize / threads, Integer.MAX_VALUE);
    }

    /** Size of each of a thread's two I/O buffers. */
    int ioBufferBytesPerThread() {
        return Math.max(1, ioBufferSize / threads / 2);
    }
}
