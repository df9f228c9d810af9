package io.zcrx.ingest.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FallocateTest {
    /** Bytes allocated to a file per stat(1) (%b blocks of %B bytes), or -1. */
    private static long allocatedBytes(Path file) throws Exception {
        try {
            final Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
            final String[] v = new String(p.getInputStream().readAllBytes()).trim().split(" ");
            return p.waitFor() == 0 ? Long.parseLong(v[0]) * Long.parseLong(v[1]) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @TempDir
    Path tmp;

    @Test
    void fallocateGivesAFileRealBlocks() throws Exception {
        // Goal: index preallocation allocates blocks (so writes through a mapping cannot hit a hole).
        // Method: allocate 1 MiB on a fresh file; compare its size and the bytes stat(1) says are
        // allocated with a sparse file of the same size.
        assumeTrue(Fallocate.isAvailable(), "no posix_fallocate on this platform");
        final Path file = tmp.resolve("prealloc");
        Files.createFile(file);
        Fallocate.allocate(file, 1 << 20);
        assertEquals(1 << 20, Files.size(file));
        final Path sparse = tmp.resolve("sparse");
        try (RandomAccessFile raf = new RandomAccessFile(sparse.toFile(), "rw")) {
            raf.setLength(1 << 20);
        }
        final long allocated = allocatedBytes(file);
        assumeTrue(allocated >= 0, "stat(1) unavailable");
        assertTrue(allocated >= 1 << 20, "allocated=" + allocated);
        assertTrue(allocatedBytes(sparse) < 1 << 20, "the comparison file is sparse");
    }
}
