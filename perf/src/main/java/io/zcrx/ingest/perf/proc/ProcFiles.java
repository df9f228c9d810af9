package io.zcrx.ingest.perf.proc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a procfs or sysfs file whole, with reads of 64 KiB. These files report
 * a size of 0, and some (the {@code /proc/sys} integers) answer only a read that starts at offset 0:
 * {@code Files.readString} sized its first read from the file's size and got "1" out of
 * {@code vm.dirty_background_ratio = 10}, so everything here reads through this helper.
 */
public final class ProcFiles {
    static final int READ_BYTES_MAX = 64 * 1024;

    private ProcFiles() {
    }

    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final byte[] buf = new byte[READ_BYTES_MAX];
            int r;
            // The first read returns a small file whole; seq_files (mountinfo, cpuinfo) continue in pages.
            while ((r = in.read(buf, 0, buf.length)) > 0) {
                out.write(buf, 0, r);
            }
            return out.toString(StandardCharsets.US_ASCII);
        }
    }
}
