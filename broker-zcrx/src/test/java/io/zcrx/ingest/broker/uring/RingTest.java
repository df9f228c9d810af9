package io.zcrx.ingest.broker.uring;

import io.zcrx.ingest.nativeio.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static io.zcrx.ingest.broker.uring.UringConstants.REACTOR_SETUP_FLAGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ring against the real kernel: setup with the reactor flags, SQ/CQ index handling, the
 * SINGLE_ISSUER rule, the EXT_ARG timeout, SQ-full auto-submit and CQ overflow recovery.
 */
class RingTest {
    @BeforeAll
    static void needsIoUring() {
        final UringSupport support = UringSupport.get();
        assumeTrue(support.ringAvailable(), "skipped: io_uring unavailable: " + support.reason());
    }

    @Test
    void nopRoundTripCarriesUserData() throws Exception {
        // Goal: an SQE goes in, its CQE comes out with our user_data. Method: 3 NOPs, wait for 3, drain.
        try (Ring ring = Ring.create(8, 32, REACTOR_SETUP_FLAGS)) {
            assertEquals(32, ring.cqeSize(), "CQE32 ring");
            final SqeWriter sqe = new SqeWriter(ring);
            for (int i = 1; i <= 3; i++) {
                sqe.nop(UserData.encode(7, i, 100 + i));
            }
            assertEquals(3, ring.pendingSubmissions());
            ring.submitAndWait(3, 0);
            assertEquals(0, ring.pendingSubmissions());
            final CompletionBatch batch = new CompletionBatch(16);
            assertEquals(3, ring.drain(batch));
            for (int i = 0; i < 3; i++) {
                assertEquals(7, UserData.op(batch.userData(i)));
                assertEquals(i + 1, UserData.slot(batch.userData(i)));
                assertEquals(100 + i + 1, UserData.generation(batch.userData(i)));
                assertEquals(0, batch.res(i));
            }
            ring.checkInvariants();
        }
    }

    @Test
    void anotherThreadCannotEnterOrUseTheRing() throws Exception {
        // Goal: SINGLE_ISSUER is real and our guard matches it. Method: from a second thread, the raw
        // io_uring_enter gets EEXIST from the kernel and Ring refuses with IllegalStateException.
        try (Ring ring = Ring.create(8, 16, REACTOR_SETUP_FLAGS)) {
            final AtomicInteger rawResult = new AtomicInteger();
            final AtomicInteger guardTripped = new AtomicInteger();
            final Thread other = new Thread(() -> {
                rawResult.set(Syscalls.ioUringEnter(ring.fd(), 0, 0, UringConstants.IORING_ENTER_GETEVENTS, 0, 0));
                try {
                    ring.submit();
                } catch (IllegalStateException expected) {
                    guardTripped.incrementAndGet();
                }
            });
            other.start();
            other.join();
            assertEquals(-Errno.EEXIST, rawResult.get(),
                "kernel answer to a non-owner enter: " + Errno.describe(rawResult.get()));
            assertEquals(1, guardTripped.get());
        }
    }

    @Test
    void waitWithTimeoutReturnsWhenNothingCompletes() throws Exception {
        // Goal: an idle reactor can sleep with a bound. Method: wait for 1 CQE with a 20 ms EXT_ARG timeout.
        try (Ring ring = Ring.create(8, 16, REACTOR_SETUP_FLAGS)) {
            assertEquals(0, ring.submitAndWait(1, 20_000_000L));
            assertEquals(0, ring.completionsReady());
        }
    }

    @Test
    void fullSubmissionQueueIsSubmittedOnDemand() throws Exception {
        // Goal: claiming an SQE never fails while the kernel can take SQEs. Method: 4-entry SQ, 19 NOPs
        // queued without an explicit submit, then every CQE must arrive exactly once.
        try (Ring ring = Ring.create(4, 64, REACTOR_SETUP_FLAGS)) {
            assertEquals(4, ring.sqEntries());
            final SqeWriter sqe = new SqeWriter(ring);
            for (int i = 0; i < 19; i++) {
                sqe.nop(i);
            }
            ring.submitAndWait(19, 0);
            final CompletionBatch batch = new CompletionBatch(64);
            assertEquals(19, ring.drain(batch));
            long seen = 0;
            for (int i = 0; i < 19; i++) {
                seen |= 1L << batch.userData(i);
            }
            assertEquals((1L << 19) - 1, seen);
        }
    }

    @Test
    void completionOverflowIsFlushedNotDropped() throws Exception {
        // Goal: with FEAT_NODROP a full CQ parks CQEs in the kernel and our loop recovers them. Method:
        // 8-entry CQ, 20 NOPs without draining, then drain + GETEVENTS until all 20 are seen.
        try (Ring ring = Ring.create(4, 8, REACTOR_SETUP_FLAGS)) {
            final SqeWriter sqe = new SqeWriter(ring);
            for (int i = 0; i < 20; i++) {
                sqe.nop(1000 + i);
                ring.submit();
            }
            assertTrue(ring.cqOverflowPending(), "CQ overflow flag expected with 20 CQEs in an 8-entry CQ");
            final CompletionBatch batch = new CompletionBatch(4);
            int total = 0;
            for (int round = 0; round < 100 && total < 20; round++) {
                final int n = ring.drain(batch);
                for (int i = 0; i < n; i++) {
                    assertEquals(1000 + total + i, batch.userData(i),
                        "CQEs keep submission order across the overflow list");
                }
                total += n;
                ring.submitAndWait(0, 0);
            }
            assertEquals(20, total);
            assertFalse(ring.cqOverflowPending());
            assertEquals(0, ring.droppedCompletions());
        }
    }

    @Test
    void closedRingRefusesUse() throws Exception {
        // Goal: failure flags stay set. Method: close, then any call throws.
        final Ring ring = Ring.create(4, 8, REACTOR_SETUP_FLAGS);
        ring.close();
        assertThrows(IllegalStateException.class, ring::nextSqe);
        ring.close();
    }

    @Test
    void probeReportsWhatThisKernelSupports() {
        // Goal: the capability probe matches the kernel. Method: copy-mode ops must be present on any
        // kernel that accepts our flags; RECV_ZC (58) from 6.15 on (probed present on 6.18).
        final UringSupport s = UringSupport.probe();
        assertTrue(s.copyModeAvailable(), s.toString());
        final String[] release = System.getProperty("os.version").split("[.-]");
        final int major = Integer.parseInt(release[0]);
        final int minor = Integer.parseInt(release[1]);
        if (major > 6 || (major == 6 && minor >= 15)) {
            assertTrue(s.recvZcSupported(), "RECV_ZC must be known from 6.15: " + s);
        }
        if (major > 6 || (major == 6 && minor >= 10)) {
            assertTrue(s.bundlesSupported(), "bundles from 6.10: " + s);
        }
    }
}
