package io.zcrx.ingest.broker.request;

import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The long-poll registry on real partition logs: an append wakes exactly the waiters of its
 * partition, unregistering is exact, and registrations racing with appends and removals from many
 * threads leave nothing behind.
 */
class FetchWaitersTest {
    @TempDir
    Path tmp;

    @Test
    void appendWakesOnlyItsPartitionsWaitersAndUnregisterIsExact() throws Exception {
        // Goal: onAppend(p) wakes every waiter of p and no other; after unregister none is woken and
        // the registration count is back to zero. Method: two partitions, counting waiters.
        try (LogManager logs = LogManager.open(List.of(tmp), 1, LogConfig.builder().build(), 86_400_000L,
                System::currentTimeMillis)) {
            final PartitionLog p0 = logs.createPartition("t", 0, Uuid.randomUuid(), LogConfig.builder().build());
            final PartitionLog p1 = logs.createPartition("t", 1, p0.topicId(), LogConfig.builder().build());
            final FetchWaiters w = new FetchWaiters();
            final AtomicInteger a = new AtomicInteger();
            final AtomicInteger b = new AtomicInteger();
            final FetchWaiters.Waiter wa = a::incrementAndGet;
            final FetchWaiters.Waiter wb = b::incrementAndGet;
            w.onAppend(p0);
            w.register(p0, wa);
            w.register(p1, wa);
            w.register(p1, wb);
            assertEquals(3, w.registered());
            w.onAppend(p0);
            assertEquals(1, a.get());
            assertEquals(0, b.get());
            w.onAppend(p1);
            assertEquals(2, a.get());
            assertEquals(1, b.get());
            w.unregister(p0, wa);
            w.unregister(p1, wa);
            w.unregister(p1, wa);
            w.onAppend(p0);
            w.onAppend(p1);
            assertEquals(2, a.get());
            assertEquals(2, b.get());
            w.unregister(p1, wb);
            assertEquals(0, w.registered());
        }
    }

    @Test
    void concurrentRegistrationsAndAppendsLeaveNothingBehind() throws Exception {
        // Goal: the copy-on-write lists survive racing register/unregister/onAppend (a list emptied
        // and removed while another thread adds to it must not swallow the add). Method: 4 threads
        // x 20000 register+append+unregister cycles on one partition, then the count must be 0 and
        // a fresh waiter must still be woken.
        try (LogManager logs = LogManager.open(List.of(tmp), 1, LogConfig.builder().build(), 86_400_000L,
                System::currentTimeMillis)) {
            final PartitionLog p = logs.createPartition("c", 0, Uuid.randomUuid(), LogConfig.builder().build());
            final FetchWaiters w = new FetchWaiters();
            final CountDownLatch go = new CountDownLatch(1);
            final Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                threads[t] = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 20_000; i++) {
                        final FetchWaiters.Waiter x = () -> { };
                        w.register(p, x);
                        w.onAppend(p);
                        w.unregister(p, x);
                    }
                });
                threads[t].start();
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(0, w.registered());
            final AtomicInteger woken = new AtomicInteger();
            w.register(p, woken::incrementAndGet);
            w.onAppend(p);
            assertEquals(1, woken.get());
        }
    }
}
