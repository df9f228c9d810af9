package io.zcrx.ingest.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real (allocated) bytes of files, as {@code du} counts them: {@code st_blocks * 512}, read with
 * {@code stat(1)} because JDK 17 has no portable attribute for it ({@code unix:blocks} does not
 * exist) and a JNA {@code struct stat} differs per architecture.
 */
final class DiskUsage {
    private static final int FILES_PER_CALL = 500;

    private DiskUsage() {
    }

    /** Sum of the allocated bytes of {@code files}, or -1 when {@code stat(1)} cannot be run. */
    static long allocatedBytes(List<Path> files) throws IOException, InterruptedException {
        long total = 0;
        for (int from = 0; from < files.size(); from += FILES_PER_CALL) {
            final List<String> cmd = new ArrayList<>(List.of("stat", "-c", "%b %B"));
            for (Path p : files.subList(from, Math.min(files.size(), from + FILES_PER_CALL))) {
                cmd.add(p.toString());
            }
            final Process proc;
            try {
                proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                return -1;
            }
            final String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (!proc.waitFor(30, TimeUnit.SECONDS) || proc.exitValue() != 0) {
                throw new IOException("stat failed: " + out);
            }
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    final String[] v = line.trim().split(" ");
                    total += Long.parseLong(v[0]) * Long.parseLong(v[1]);
                }
            }
        }
        return total;
    }
}
