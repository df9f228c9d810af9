package io.zcrx.ingest.broker.request;

import io.zcrx.ingest.log.PartitionLog;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fetch long polls waiting for data, by partition (Kafka's fetch purgatory). A Fetch that did not
 * find {@code min.bytes} registers a {@link Waiter} on each of its partitions; every append wakes
 * the waiters of its partition, which re-read on their own reactor.
 *
 * <p>The produce path calls {@link #onAppend} after every append. When nobody waits anywhere it
 * costs one volatile read; when someone waits on other partitions, one lock-free map lookup; only
 * waiters of this partition are touched (no allocation, no lock on the producer's side: the waiter
 * array is copy-on-write).
 *
 * <p>Thread-safe.
 */
public final class FetchWaiters {

    /** A long poll; {@link #wake} must be cheap and thread-safe (it hops to the waiter's reactor). */
    public interface Waiter {
        void wake();
    }

    /** The waiters of one partition: a copy-on-write array, replaced under this object's lock. */
    private static final class WaiterList {
        volatile Waiter[] items = new Waiter[0];
        /** Removed from the map: adders must take a fresh list. */
        boolean dead;
    }

    private final ConcurrentHashMap<PartitionLog, WaiterList> byLog = new ConcurrentHashMap<>();
    private final AtomicInteger registered = new AtomicInteger();

    /** Called by the produce path after an append to {@code log} (any reactor thread). */
    public void onAppend(PartitionLog log) {
        if (registered.get() == 0) {
            return;
        }
        final WaiterList list = byLog.get(log);
        if (list == null) {
            return;
        }
        final Waiter[] items = list.items;
        for (int i = 0; i < items.length; i++) {
            items[i].wake();
        }
    }

    public void register(PartitionLog log, Waiter w) {
        while (true) {
            final WaiterList list = byLog.computeIfAbsent(log, k -> new WaiterList());
            synchronized (list) {
                if (list.dead) {
                    continue;
                }
                final Waiter[] old = list.items;
                final Waiter[] next = Arrays.copyOf(old, old.length + 1);
                next[old.length] = w;
                list.items = next;
                registered.incrementAndGet();
                return;
            }
        }
    }

    public void unregister(PartitionLog log, Waiter w) {
        final WaiterList list = byLog.get(log);
        if (list == null) {
            return;
        }
        synchronized (list) {
            final Waiter[] old = list.items;
            int at = -1;
            for (int i = 0; i < old.length; i++) {
                if (old[i] == w) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                return;
            }
            final Waiter[] next = new Waiter[old.length - 1];
            System.arraycopy(old, 0, next, 0, at);
            System.arraycopy(old, at + 1, next, at, old.length - at - 1);
            list.items = next;
            registered.decrementAndGet();
            if (next.length == 0) {
                list.dead = true;
                byLog.remove(log, list);
            }
        }
    }

    /** Registrations outstanding (tests: zero once every long poll has been answered). */
    public int registered() {
        return registered.get();
    }
}
