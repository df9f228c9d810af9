package io.zcrx.ingest.perf.load;

/**
 * Decides what the open-loop sender sends and when, from the clock alone (never from responses): at any moment the
 * records that are due and not yet sent go out, oldest first, as one batch of at most {@code maxPerBatch} records
 * (the producer's {@code batch.size}); more than that makes more requests at once. This is {@code linger.ms=0}: a
 * record waits for nothing but the sender itself. A sender that falls behind (a slow write, a descheduled thread)
 * finds a backlog and sends it immediately, and the time it lost stays in every affected record's latency because
 * latencies are measured from {@link OpenLoopSchedule#scheduledNs}, not from the send.
 *
 * <p>The lateness of a request is how long after its oldest record was due it went out: the client's own health
 * figure (a healthy client sends within tens of microseconds; the timer slack of a sleeping thread is ~50 us).
 *
 * <p>One sender thread; not thread-safe.
 */
public final class OpenLoopPacer {
    private final OpenLoopSchedule schedule;
    private final int maxPerBatch;
    private final long totalRecords;
    private long sent;

    /**
     * @param maxPerBatch  records that fit one batch of batch.size bytes
     * @param totalRecords records of the whole run (warm-up and window); nothing is due after them
     */
    public OpenLoopPacer(OpenLoopSchedule schedule, int maxPerBatch, long totalRecords) {
        if (maxPerBatch < 1 || totalRecords < 1) {
            throw new IllegalArgumentException("open-loop pacer: maxPerBatch=" + maxPerBatch + ", totalRecords="
                + totalRecords);
        }
        this.schedule = schedule;
        this.maxPerBatch = maxPerBatch;
        this.totalRecords = totalRecords;
    }

    /**
     * The size of the batch to send at {@code nowNs}: every due, unsent record up to one batch; 0 when nothing is
     * due. The batch starts at {@link #nextRecord()}; call {@link #sent} once it is written.
     */
    public int batchAt(long nowNs) {
        final long due = Math.min(schedule.dueCount(nowNs), totalRecords);
        return (int) Math.min(maxPerBatch, Math.max(0, due - sent));
    }

    /** How late a batch starting at {@link #nextRecord()} is when sent at {@code nowNs} (0 if early). */
    public long latenessNs(long nowNs) {
        return Math.max(0, nowNs - schedule.scheduledNs(sent));
    }

    /** Marks the {@code count} records from {@link #nextRecord()} on as sent. */
    public void sent(int count) {
        if (count < 1 || sent + count > totalRecords) {
            throw new IllegalArgumentException("open-loop pacer: count=" + count + ", sent=" + sent + ", total="
                + totalRecords);
        }
        sent += count;
    }

    /** Index of the oldest record not yet sent. */
    public long nextRecord() {
        return sent;
    }

    /** When the next unsent record is due (Long.MAX_VALUE once all are sent): when the sender should wake up. */
    public long nextDueNs() {
        return done() ? Long.MAX_VALUE : schedule.scheduledNs(sent);
    }

    public boolean done() {
        return sent >= totalRecords;
    }

    public OpenLoopSchedule schedule() {
        return schedule;
    }
}
