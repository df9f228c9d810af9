package io.zcrx.ingest.perf.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void parsesUtimePlusStimeEvenWhenCommHoldsSpacesAndParentheses() {
        // Goal: fields are counted after the last ')', so an odd process name cannot shift them.
        // Method: a stat line whose comm is "(a) b (c)", utime 1234 and stime 56.
        final String stat = "4242 ((a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 7 8 20 0 9 0 123 456 789";
        assertEquals(1290, ProcStat.parseCpuTicks(stat));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parseCpuTicks("4242 no-paren S 1"));
    }

    @Test
    void parsesVmHwmInKilobytes() {
        // Goal: the peak RSS line is read in kB and a missing key is an error naming it.
        final String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  378888 kB\nVmRSS:\t 1000 kB\n";
        assertEquals(378_888, ProcStat.parseStatusKb(status, "VmHWM:"));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ProcStat.parseStatusKb("Name:\tjava\n", "VmHWM:"));
        assertTrue(e.getMessage().contains("VmHWM:"), e.getMessage());
    }

    @Test
    void ownCpuTimeGrowsWhileBurningCpuAndPeakRssIsPositive() throws Exception {
        // Goal: the real /proc files of this JVM parse, and CPU time moves with work. Method: burn
        // ~0.3 s of CPU with CRC passes, compare before and after (no upper bound: timing-free).
        final long pid = ProcessHandle.current().pid();
        final long before = ProcStat.cpuTicks(pid);
        final byte[] data = new byte[1 << 20];
        final CRC32C crc = new CRC32C();
        final long end = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < end) {
            crc.update(data);
        }
        assertTrue(ProcStat.cpuTicks(pid) > before, "cpu ticks did not grow: crc=" + crc.getValue());
        assertTrue(ProcStat.peakRssBytes(pid) > 1 << 20);
        assertTrue(ProcStat.clockTicksPerSecond() > 0);
    }
}
