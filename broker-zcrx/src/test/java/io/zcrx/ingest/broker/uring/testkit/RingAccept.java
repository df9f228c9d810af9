package io.zcrx.ingest.broker.uring.testkit;

import io.zcrx.ingest.broker.uring.CompletionBatch;
import io.zcrx.ingest.broker.uring.Ring;
import io.zcrx.ingest.broker.uring.SqeWriter;

/** Test helper: accept one connection on a listening fd through the ring (multishot ACCEPT, then cancel). */
public final class RingAccept {
    private RingAccept() {
    }

    public static int acceptOne(Ring ring, SqeWriter sqe, int listenFd) {
        final long acceptTag = 0xACCE97L;
        sqe.acceptMultishot(listenFd, acceptTag);
        final CompletionBatch batch = new CompletionBatch(8);
        int fd = -1;
        for (int round = 0; round < 200 && fd < 0; round++) {
            ring.submitAndWait(1, 50_000_000L);
            final int n = ring.drain(batch);
            for (int i = 0; i < n; i++) {
                if (batch.userData(i) == acceptTag && batch.res(i) >= 0) {
                    fd = batch.res(i);
                }
            }
        }
        if (fd < 0) {
            throw new AssertionError("no connection accepted through the ring");
        }
        sqe.cancelUserData(acceptTag, 0xCA9CE1L);
        int finals = 0;
        for (int round = 0; round < 200 && finals < 2; round++) {
            ring.submitAndWait(1, 50_000_000L);
            final int n = ring.drain(batch);
            for (int i = 0; i < n; i++) {
                if (batch.userData(i) == 0xCA9CE1L || batch.userData(i) == acceptTag) {
                    finals++;
                }
            }
        }
        return fd;
    }
}
