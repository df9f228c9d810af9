package io.zcrx.ingest.broker.testkit;

import io.zcrx.ingest.broker.runtime.TimerService;
import java.util.PriorityQueue;

/**
 * A {@link TimerService} on a manual clock: {@link #advance} moves time and runs every task that
 * became due, in due order, on the calling thread. State machines driven by timers are tested
 * deterministically, without sleeping.
 */
public final class ManualTimer implements TimerService {
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long nowMs;
    private long seq;

    public ManualTimer(long startMs) {
        this.nowMs = startMs;
    }

    private static final class Task implements Comparable<Task>, Cancellable {
        final long dueMs;
        final long seq;
        final Runnable run;
        volatile boolean cancelled;

        Task(long dueMs, long seq, Runnable run) {
            this.dueMs = dueMs;
            this.seq = seq;
            this.run = run;
        }

        @Override
        public int compareTo(Task o) {
            return dueMs != o.dueMs ? Long.compare(dueMs, o.dueMs) : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public synchronized Cancellable schedule(long delayMs, Runnable task) {
        if (delayMs < 0) {
            throw new IllegalArgumentException("delayMs=" + delayMs);
        }
        final Task t = new Task(nowMs + delayMs, seq++, task);
        queue.add(t);
        return t;
    }

    @Override
    public synchronized long nowMs() {
        return nowMs;
    }

    /** Moves the clock forward by {@code ms}, running due tasks (including ones they schedule). */
    public void advance(long ms) {
        final long target;
        synchronized (this) {
            target = nowMs + ms;
        }
        while (true) {
            final Task t;
            synchronized (this) {
                final Task head = queue.peek();
                if (head == null || head.dueMs > target) {
                    nowMs = target;
                    return;
                }
                queue.poll();
                nowMs = Math.max(nowMs, head.dueMs);
                t = head;
            }
            if (!t.cancelled) {
                t.run.run();
            }
        }
    }

    /** Tasks not yet run or cancelled. */
    public synchronized int pending() {
        int n = 0;
        for (Task t : queue) {
            if (!t.cancelled) {
                n++;
            }
        }
        return n;
    }
}
