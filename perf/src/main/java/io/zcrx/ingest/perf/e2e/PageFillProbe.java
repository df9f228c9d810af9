package io.zcrx.ingest.perf.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How fast this machine can fill the page cache with new data, measured once before the runs by
 * writing a file on tmpfs in steps and timing each step.
 *
 * <p>Why: on a VM whose guest hands freed memory back to the host (virtio_balloon free page
 * reporting, common in cloud VMs and Firecracker), page cache beyond what the guest recently used
 * has to be faulted in by the host again. On the 2-core VM this harness was written on, the first
 * ~6 GB of a tmpfs file filled at ~2.5 GB/s and everything after at ~300 MB/s. A run that writes
 * past that point measures the hypervisor, not the broker, and punishes the faster broker more
 * (it crosses the knee sooner). The harness therefore keeps each run's bytes (warm-up plus window)
 * under a budget derived from the knee, and reports the probe in the results.
 */
public final class PageFillProbe {
    /** Bytes per timed step. */
    static final long STEP_BYTES = 256L << 20;
    /** A step slower than this share of the fast rate is past the knee. */
    static final double SLOW_SHARE = 1.0 / 3;
    /** Consecutive slow steps that confirm a knee (one slow step can be a neighbour's burst). */
    static final int SLOW_STEPS = 2;

    /**
     * @param kneeBytes bytes written before the fill rate dropped, or -1 if it never did
     * @param fastMbPerSec median MB/s (10^6 bytes) of the steps before the knee
     * @param slowMbPerSec median MB/s of the steps after it, or NaN without a knee
     * @param probedBytes bytes the probe wrote in all
     */
    public record Result(long kneeBytes, double fastMbPerSec, double slowMbPerSec, long probedBytes) {
        public boolean hasKnee() {
            return kneeBytes > 0;
        }

        /** The most bytes one run may write: 60 % of the knee, or unlimited without one. */
        public long runBudgetBytes() {
            return hasKnee() ? (long) (kneeBytes * 0.6) : Long.MAX_VALUE;
        }

        public String describe() {
            if (!hasKnee()) {
                return String.format(Locale.ROOT, "page-cache fill probe (tmpfs): %.1f GB written at %.0f MB/s,"
                    + " no slowdown", probedBytes / 1e9, fastMbPerSec);
            }
            return String.format(Locale.ROOT, "page-cache fill probe (tmpfs): the first %.1f GB at %.0f MB/s, then"
                + " %.0f MB/s (memory the host must fault in again, e.g. virtio_balloon free page reporting);"
                + " each run writes at most %.1f GB (warm-up + window)", kneeBytes / 1e9, fastMbPerSec,
                slowMbPerSec, runBudgetBytes() / 1e9);
        }
    }

    private PageFillProbe() {
    }

    /**
     * Writes up to {@code maxBytes} into a file under {@code dir} (which should be tmpfs: the probe
     * must not measure a disk) in {@link #STEP_BYTES} steps, stopping once the knee is confirmed,
     * and deletes the file.
     */
    public static Result probe(Path dir, long maxBytes) throws IOException {
        return probe(dir, maxBytes, STEP_BYTES);
    }

    static Result probe(Path dir, long maxBytes, long stepBytes) throws IOException {
        if (stepBytes < (1 << 20) || stepBytes % (1 << 20) != 0 || maxBytes < 4 * stepBytes) {
            throw new IllegalArgumentException("page-fill probe needs at least 4 steps of whole MiB: maxBytes="
                + maxBytes + ", stepBytes=" + stepBytes);
        }
        Files.createDirectories(dir);
        final Path file = dir.resolve("page-fill-probe");
        final ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
        while (block.hasRemaining()) {
            block.put((byte) 0x5a);
        }
        final List<Double> rates = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long written = 0;
            while (written + stepBytes <= maxBytes) {
                final long t0 = System.nanoTime();
                for (long n = 0; n < stepBytes; n += block.capacity()) {
                    block.clear();
                    while (block.hasRemaining()) {
                        ch.write(block);
                    }
                }
                final long ns = System.nanoTime() - t0;
                written += stepBytes;
                rates.add(stepBytes / 1e6 / (ns / 1e9));
                final Result r = analyze(stepBytes, rates.stream().mapToDouble(Double::doubleValue).toArray());
                if (r.hasKnee()) {
                    return r;
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return analyze(stepBytes, rates.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * The knee in a series of per-step rates: the first of {@link #SLOW_STEPS} consecutive steps each
     * slower than {@link #SLOW_SHARE} of the median of the steps before it (the first step, which
     * also pays for creating the file, is left out of that median).
     */
    static Result analyze(long stepBytes, double[] rates) {
        final long probed = stepBytes * rates.length;
        for (int i = 2; i + SLOW_STEPS <= rates.length; i++) {
            final double fast = median(Arrays.copyOfRange(rates, 1, i));
            boolean slow = true;
            for (int j = i; j < i + SLOW_STEPS; j++) {
                slow &= rates[j] < fast * SLOW_SHARE;
            }
            if (slow) {
                return new Result(stepBytes * i, fast, median(Arrays.copyOfRange(rates, i, rates.length)), probed);
            }
        }
        return new Result(-1, rates.length > 1 ? median(Arrays.copyOfRange(rates, 1, rates.length))
            : rates.length == 1 ? rates[0] : Double.NaN, Double.NaN, probed);
    }

    private static double median(double[] v) {
        final double[] s = v.clone();
        Arrays.sort(s);
        final int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
