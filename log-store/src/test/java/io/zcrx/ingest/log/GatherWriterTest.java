package io.zcrx.ingest.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.LibC;
import io.zcrx.ingest.protocol.bytes.GatherList;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatherWriterTest {
    @TempDir
    Path tmp;

    @Test
    void moreRangesThanIovMaxGoOutInOrderInSeveralCalls() throws Exception {
        // Goal: a header plus 3000 payload ranges (more than twice IOV_MAX) land in the file in order
        // at the requested position, in ceil(3001 / 1024) = 3 pwritev calls.
        // Method: pattern bytes derived from their logical position, scattered over a direct buffer
        // with junk between ranges; compare the file with the expected pattern.
        final ByteBuffer memory = ByteBuffer.allocateDirect(1 << 20);
        final long address = Pointer.nativeValue(Native.getDirectBufferPointer(memory));
        final ByteBuffer header = ByteBuffer.allocateDirect(61);
        final long headerAddress = Pointer.nativeValue(Native.getDirectBufferPointer(header));
        final Random random = new Random(4);
        final byte[] expected = new byte[61 + 3000 * 7];
        int logical = 0;
        for (int i = 0; i < 61; i++) {
            header.put(i, (byte) (logical * 31 + 7));
            expected[logical] = header.get(i);
            logical++;
        }
        final GatherList payload = new GatherList();
        int at = 0;
        for (int r = 0; r < 3000; r++) {
            final int length = 1 + random.nextInt(7);
            for (int k = 0; k < length; k++) {
                memory.put(at + k, (byte) (logical * 31 + 7));
                expected[logical++] = memory.get(at + k);
            }
            payload.add(address + at, length);
            at += length + 1;
            memory.put(at - 1, (byte) 0xEE);
        }
        assertEquals(3000, payload.count(), "ranges must not merge");
        final Path file = tmp.resolve("gather");
        Files.write(file, new byte[100]);
        final int fd = LibC.open(file.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
        assertTrue(fd >= 0);
        try {
            final GatherWriter writer = GatherWriter.forCurrentThread();
            assertEquals(0, writer.write(fd, 100, headerAddress, 61, payload));
            assertEquals(3, writer.lastCallCount());
            assertEquals(logical, writer.lastBytesWritten());
        } finally {
            assertEquals(0, LibC.close(fd));
        }
        final byte[] content = Files.readAllBytes(file);
        assertEquals(100 + logical, content.length);
        final byte[] written = new byte[logical];
        System.arraycopy(content, 100, written, 0, logical);
        assertArrayEquals(Arrays.copyOf(expected, logical), written);
    }

    @Test
    void aRefusedWriteReturnsItsErrno() throws Exception {
        // Goal: a failing pwritev is reported by errno, not retried forever and not thrown.
        // Method: write through a descriptor opened O_RDONLY: the kernel answers EBADF.
        final Path file = tmp.resolve("ro");
        Files.write(file, new byte[10]);
        final ByteBuffer header = ByteBuffer.allocateDirect(8);
        final int fd = LibC.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        try {
            final int errno = GatherWriter.forCurrentThread().write(fd, 0,
                Pointer.nativeValue(Native.getDirectBufferPointer(header)), 8,
                new GatherList());
            assertEquals(Errno.EBADF, errno);
            assertEquals("EBADF", Errno.name(errno));
            assertEquals(0, GatherWriter.forCurrentThread().lastBytesWritten());
        } finally {
            LibC.close(fd);
        }
        assertEquals(-1, LibC.open(tmp.resolve("missing/file").toString(), LibC.O_WRONLY, 0));
        assertEquals(2, LibC.errno(), "ENOENT read right after the failing call");
    }
}
