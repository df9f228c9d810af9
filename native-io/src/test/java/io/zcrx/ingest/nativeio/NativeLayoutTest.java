package io.zcrx.ingest.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLayoutTest {
    @TempDir
    Path tmp;

    @Test
    void constantsMatchTheUapiNumbers() {
        // Goal: the hard-coded struct iovec layout, IOV_MAX, open flags and errnos are the Linux
        // x86-64/AArch64 values (glibc <bits/types/struct_iovec.h>, <fcntl.h>, <asm-generic/errno*.h>).
        // Method: compare with the numbers from those headers.
        assertEquals(0, IovecLayout.IOV_BASE_OFFSET);
        assertEquals(8, IovecLayout.IOV_LEN_OFFSET);
        assertEquals(16, IovecLayout.IOVEC_LENGTH);
        assertEquals(1024, LibC.IOV_MAX);
        assertEquals(1, LibC.O_WRONLY);
        assertEquals(0, LibC.O_RDONLY);
        assertEquals(4, Errno.EINTR);
        assertEquals(5, Errno.EIO);
        assertEquals(9, Errno.EBADF);
        assertEquals(28, Errno.ENOSPC);
        assertEquals(122, Errno.EDQUOT);
    }

    @Test
    void constantsMatchACompiledProbe() throws Exception {
        // Goal: the same numbers as the C compiler and headers of this machine see them.
        // Method: compile and run a sizeof/offsetof probe; skipped (with the reason) without cc.
        final Path source = tmp.resolve("probe.c");
        Files.writeString(source, String.join("\n",
            "#define _GNU_SOURCE",
            "#include <stdio.h>",
            "#include <stddef.h>",
            "#include <fcntl.h>",
            "#include <limits.h>",
            "#include <errno.h>",
            "#include <sys/uio.h>",
            "int main(void) {",
            "  printf(\"%zu %zu %zu %d %d %d %d %d %d %d %d\\n\",",
            "    sizeof(struct iovec), offsetof(struct iovec, iov_base),",
            "    offsetof(struct iovec, iov_len), IOV_MAX, O_CLOEXEC, O_WRONLY, EINTR, EBADF, ENOSPC, EDQUOT, EFAULT);",
            "  return 0;",
            "}", ""));
        final Path binary = tmp.resolve("probe");
        final String compiled = run("cc", "-o", binary.toString(), source.toString());
        assumeTrue(compiled == null, () -> "no C compiler for the probe: " + compiled);
        final Process p = new ProcessBuilder(binary.toString()).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor());
        final String[] v = out.split(" ");
        assertEquals(IovecLayout.IOVEC_LENGTH, Integer.parseInt(v[0]), out);
        assertEquals(IovecLayout.IOV_BASE_OFFSET, Integer.parseInt(v[1]), out);
        assertEquals(IovecLayout.IOV_LEN_OFFSET, Integer.parseInt(v[2]), out);
        assertEquals(LibC.IOV_MAX, Integer.parseInt(v[3]), out);
        assertEquals(LibC.O_CLOEXEC, Integer.parseInt(v[4]), out);
        assertEquals(LibC.O_WRONLY, Integer.parseInt(v[5]), out);
        assertEquals(Errno.EINTR, Integer.parseInt(v[6]), out);
        assertEquals(Errno.EBADF, Integer.parseInt(v[7]), out);
        assertEquals(Errno.ENOSPC, Integer.parseInt(v[8]), out);
        assertEquals(Errno.EDQUOT, Integer.parseInt(v[9]), out);
        assertEquals(Errno.EFAULT, Integer.parseInt(v[10]), out);
    }

    /** Runs a command; null on success, else why not. */
    private static String run(String... command) throws InterruptedException {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
