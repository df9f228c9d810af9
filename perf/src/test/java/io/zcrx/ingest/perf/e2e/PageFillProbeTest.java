package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageFillProbeTest {
    private static final long STEP = 256L << 20;

    @Test
    void kneeIsTheFirstOfTwoSlowSteps() {
        // The shape measured on the 2-core VM: ~2.5 GB/s for 6 GB, then ~300 MB/s.
        final double[] rates = {1700, 2400, 2600, 2500, 2450, 2550, 2500, 2600, 2480, 2520, 2500, 2550, 2600, 2500,
            2450, 2500, 2550, 2600, 2500, 2450, 2500, 2550, 2600, 2500, 310, 290};
        final PageFillProbe.Result r = PageFillProbe.analyze(STEP, rates);
        assertTrue(r.hasKnee());
        assertEquals(24 * STEP, r.kneeBytes());
        assertEquals(2500, r.fastMbPerSec(), 1e-9);
        assertEquals(300, r.slowMbPerSec(), 1e-9);
        assertEquals((long) (24 * STEP * 0.6), r.runBudgetBytes());
        assertTrue(r.describe().contains("the first 6.4 GB at 2500 MB/s, then 300 MB/s"), r.describe());
    }

    @Test
    void oneSlowStepIsNoKnee() {
        final double[] rates = {1000, 2500, 2400, 600, 2500, 2600, 700, 2450};
        final PageFillProbe.Result r = PageFillProbe.analyze(STEP, rates);
        assertFalse(r.hasKnee());
        assertEquals(Long.MAX_VALUE, r.runBudgetBytes());
        assertEquals(8 * STEP, r.probedBytes());
        assertTrue(r.describe().contains("no slowdown"), r.describe());
    }

    @Test
    void realProbeWritesAndDeletesItsFile(@TempDir Path dir) throws Exception {
        final long step = 1 << 20;
        final PageFillProbe.Result r = PageFillProbe.probe(dir, 8 * step, step);
        assertTrue(r.fastMbPerSec() > 0, r.toString());
        assertTrue(r.probedBytes() <= 8 * step && r.probedBytes() >= 4 * step, r.toString());
        assertFalse(Files.exists(dir.resolve("page-fill-probe")));
    }

    @Test
    void refusesTooSmallABudget(@TempDir Path dir) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PageFillProbe.probe(dir, STEP));
        assertTrue(e.getMessage().contains("maxBytes=" + STEP + ", stepBytes=" + STEP), e.getMessage());
    }
}
