package io.zcrx.ingest.perf.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
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
    void machineBusyTicksExcludeIdleAndIowait() throws Exception {
        // Goal: machine busy time = user+nice+system+irq+softirq+steal (guest is inside user).
        // Method: a /proc/stat first line with distinct values; then the live file parses.
        final String stat = "cpu  100 2 30 5000 40 5 6 7 50 0\ncpu0 50 1 15 2500 20 2 3 3 25 0\n";
        assertEquals(100 + 2 + 30 + 5 + 6 + 7, ProcStat.parseMachineBusyTicks(stat));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parseMachineBusyTicks("intr 1 2 3\n"));
        assertTrue(ProcStat.machineBusyTicks() > 0);
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

    @Test
    void busiestThreadIsTheOneBurningCpu() throws Exception {
        // Goal: per-thread sampling names the thread that did the work. Method: a thread named
        // "cpu-burner" spins for ~0.4 s between two samples of this JVM's threads (and stays alive
        // until the second: an exited thread's ticks leave /proc with it); it must come first.
        final long pid = ProcessHandle.current().pid();
        final var before = ProcStat.threadTicks(pid);
        final CountDownLatch burnt = new CountDownLatch(1);
        final CountDownLatch sampled = new CountDownLatch(1);
        final Thread burner = new Thread(() -> {
            final CRC32C crc = new CRC32C();
            final byte[] data = new byte[1 << 16];
            final long end = System.nanoTime() + 400_000_000L;
            while (System.nanoTime() < end) {
                crc.update(data);
            }
            burnt.countDown();
            try {
                sampled.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cpu-burner");
        final long t0 = System.nanoTime();
        burner.start();
        burnt.await();
        final var after = ProcStat.threadTicks(pid);
        sampled.countDown();
        burner.join();
        final var top = ProcStat.busiest(before, after, (System.nanoTime() - t0) / 1e9, 3);
        assertEquals("cpu-burner", top.get(0).getKey(), top.toString());
        assertTrue(top.get(0).getValue() > 0, top.toString());
    }
}
