package io.zcrx.ingest.broker.runtime;

import org.slf4j.Logger;

/**
 * Logs bad-input events (rejected batches, closed connections) at WARN without letting one
 * misbehaving client flood the log: at most {@code perSecond} lines a second, then one line saying
 * how many were suppressed.
 *
 * <p>Not thread-safe: one per reactor thread.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final int perSecond;
    private long windowStartMs;
    private int inWindow;
    private long suppressed;

    public RateLimitedLog(Logger log, int perSecond) {
        this.log = log;
        this.perSecond = perSecond;
    }

    /** True if a line may be written now (call before building the message, to avoid the cost). */
    public boolean tryAcquire(long nowMs) {
        if (nowMs - windowStartMs >= 1000) {
            if (suppressed > 0) {
                log.warn("{} similar warnings suppressed in the last second", suppressed);
                suppressed = 0;
            }
            windowStartMs = nowMs;
            inWindow = 0;
        }
        if (inWindow < perSecond) {
            inWindow++;
            return true;
        }
        suppressed++;
        return false;
    }
}
