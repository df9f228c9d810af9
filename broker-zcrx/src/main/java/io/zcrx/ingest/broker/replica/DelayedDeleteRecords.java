package io.zcrx.ingest.broker.replica;

import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.runtime.TimerService;
import io.zcrx.ingest.log.PartitionLog;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * A DeleteRecords answer waiting for the followers (Kafka's {@code DelayedDeleteRecords}): the leader has moved
 * each partition's log start already; the answer leaves once every partition's low watermark
 * ({@link LeaderPartition#lowWatermark}: the smallest log start over the leader and the followers on live brokers)
 * has reached the offset asked for, or at the request's timeout. A partition still short then keeps the error
 * REQUEST_TIMED_OUT set at the start and the low watermark it had (as Kafka's); a partition whose leadership ended
 * meanwhile gets NOT_LEADER_OR_FOLLOWER.
 *
 * <p>Re-checked on the control plane's timer thread, never on a reactor: when a follower's fetch reports a new log
 * start, when a leadership or replica set changes ({@link LeaderPartitions} wakes it), and at the timeout. Waking
 * schedules at most one re-check at a time.
 *
 * <p>Thread-safe: the state is guarded by this object.
 */
public final class DelayedDeleteRecords {
    /** One partition still waiting: its log, the offset asked for (resolved: -1 is the high watermark), its result. */
    public record Waiting(PartitionLog log, long requiredOffset, DeleteRecordsPartitionResult result) {
    }

    private final LeaderPartitions leaders;
    private final TimerService timer;
    private final PendingResponse pending;
    private final DeleteRecordsResponseData response;
    private final List<Waiting> waiting;
    private final AtomicBoolean recheckScheduled = new AtomicBoolean();
    private TimerService.Cancellable timeout;
    private boolean done;

    private DelayedDeleteRecords(LeaderPartitions leaders, PendingResponse pending, DeleteRecordsResponseData response,
                                 List<Waiting> waiting) {
        this.leaders = leaders;
        this.timer = leaders.timer();
        this.pending = pending;
        this.response = response;
        this.waiting = new ArrayList<>(waiting);
    }

    /**
     * Parks {@code response} until every one of {@code waiting} is settled or {@code timeoutMs} passed, then
     * completes {@code pending} with it. Each waiting partition's result answers REQUEST_TIMED_OUT unless settled.
     */
    public static void park(LeaderPartitions leaders, PendingResponse pending, DeleteRecordsResponseData response,
                            List<Waiting> waiting, long timeoutMs) {
        for (Waiting w : waiting) {
            w.result().setErrorCode(Errors.REQUEST_TIMED_OUT.code());
        }
        final DelayedDeleteRecords d = new DelayedDeleteRecords(leaders, pending, response, waiting);
        synchronized (d) {
            leaders.register(d);
            d.timeout = d.timer.schedule(Math.max(0L, timeoutMs), d::expire);
        }
        // A follower may have reported its log start before the registration: check once now.
        d.wake();
    }

    /** Schedules a re-check on the timer thread (any thread; at most one scheduled at a time). */
    void wake() {
        if (recheckScheduled.compareAndSet(false, true)) {
            timer.schedule(0L, () -> {
                recheckScheduled.set(false);
                tryComplete();
            });
        }
    }

    /** Settles what can be settled; completes the answer when nothing waits any more. */
    synchronized void tryComplete() {
        if (done) {
            return;
        }
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            final Waiting w = it.next();
            final OptionalLong low = leaders.lowWatermark(w.log());
            if (low.isEmpty()) {
                w.result().setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
                it.remove();
            } else if (low.getAsLong() >= w.requiredOffset()) {
                w.result().setErrorCode(Errors.NONE.code()).setLowWatermark(low.getAsLong());
                it.remove();
            }
        }
        if (waiting.isEmpty()) {
            finish();
        }
    }

    /** The request's timeout: the answer leaves with what is settled (the rest REQUEST_TIMED_OUT). */
    private synchronized void expire() {
        if (!done) {
            tryComplete();
        }
        if (!done) {
            finish();
        }
    }

    private void finish() {
        done = true;
        leaders.unregister(this);
        if (timeout != null) {
            timeout.cancel();
        }
        pending.completeFromAnyThread(response);
    }
}
