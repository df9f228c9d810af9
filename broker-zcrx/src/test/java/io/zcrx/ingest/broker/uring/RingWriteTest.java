package io.zcrx.ingest.broker.uring;

import com.sun.jna.Memory;
import io.zcrx.ingest.nativeio.LibC;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.zcrx.ingest.broker.uring.UringConstants.REACTOR_SETUP_FLAGS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link SqeWriter#writev} against the real kernel: the SQE's fields land where WRITEV reads them. */
class RingWriteTest {
    @BeforeAll
    static void needsIoUring() {
        final UringSupport support = UringSupport.get();
        assumeTrue(support.ringAvailable(), "skipped: io_uring unavailable: " + support.reason());
    }

    @Test
    void writevPutsTheGatheredRangesAtThePosition(@TempDir Path dir) throws Exception {
        // Goal: address, iovec count and file offset are encoded right. Method: two ranges ("head", "payload")
        // written at offset 3 of a file holding "xyz", then the file is read back; a wrong offset, count or
        // address gives other bytes or another length.
        final Path file = dir.resolve("segment.log");
        Files.writeString(file, "xyz");
        final Memory head = new Memory(4);
        head.write(0, "head".getBytes(), 0, 4);
        final Memory payload = new Memory(7);
        payload.write(0, "payload".getBytes(), 0, 7);
        final Memory iov = new Memory(32);
        iov.setLong(0, Memory.nativeValue(head));
        iov.setLong(8, 4);
        iov.setLong(16, Memory.nativeValue(payload));
        iov.setLong(24, 7);
        final int fd = LibC.open(file.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
        assertTrue(fd >= 0, "open");
        try (Ring ring = Ring.create(8, 16, REACTOR_SETUP_FLAGS)) {
            new SqeWriter(ring).writev(fd, Memory.nativeValue(iov), 2, 3, UserData.encode(9, 1, 2));
            ring.submitAndWait(1, 0);
            final CompletionBatch batch = new CompletionBatch(4);
            assertEquals(1, ring.drain(batch));
            assertEquals(UserData.encode(9, 1, 2), batch.userData(0));
            assertEquals(11, batch.res(0), "bytes written");
        } finally {
            LibC.close(fd);
        }
        assertArrayEquals("xyzheadpayload".getBytes(), Files.readAllBytes(file));
    }
}
