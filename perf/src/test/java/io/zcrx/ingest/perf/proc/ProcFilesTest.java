package io.zcrx.ingest.perf.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcFilesTest {

    @Test
    void readsSysctlIntegersWholeAsCatDoes() throws Exception {
        // Goal: /proc/sys integers come back whole (Files.readString returned "1" for "10" here).
        // Method: compare with cat's output for two sysctl files and a multi-page seq_file.
        for (String f : new String[] {"/proc/sys/vm/dirty_ratio", "/proc/sys/kernel/pid_max", "/proc/self/mountinfo"}) {
            final Process cat = new ProcessBuilder("cat", f).start();
            final String expected = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals(0, cat.waitFor());
            if (f.equals("/proc/self/mountinfo")) {
                // cat's and our mount namespaces are the same; the line count must agree.
                assertEquals(expected.lines().count(), ProcFiles.read(Path.of(f)).lines().count(), f);
            } else {
                assertEquals(expected, ProcFiles.read(Path.of(f)), f);
                assertTrue(Long.parseLong(expected.trim()) >= 0, f);
            }
        }
    }
}
