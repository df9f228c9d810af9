package io.zcrx.ingest.broker.uring;

import com.sun.jna.Memory;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.zcrx.ingest.broker.uring.UringConstants.REACTOR_SETUP_FLAGS;

/**
 * The write-on-the-ring measurement of docs/design.md ("The write on the ring"): the same appends,
 * a Produce request's worth at a time (one batch per partition file, a 61-byte header plus the payload
 * as two iovecs, like {@code GatherWriter}), written either with one synchronous {@code pwritev} each
 * followed by the reactor's one {@code io_uring_enter} per loop (a NOP stands in for the receive it
 * re-arms), or as {@code IORING_OP_WRITEV} SQEs submitted with that NOP in the same enter, which
 * waits for their completions. Prints the process's CPU seconds (utime + stime of every thread,
 * io_uring's io-wq workers included) per GB written and per request, and how many io-wq workers
 * the kernel started (0 when every write completed inline, without a punt to a worker).
 *
 * <pre>
 *   java -cp "broker-zcrx/target/test-classes:broker-zcrx/target/classes:broker-zcrx/target/lib/*" \
 *       io.zcrx.ingest.broker.uring.RingWriteExperiment DIR MODE(pwritev|ring) GB BATCH_BYTES PARTITIONS
 *   e.g. DIR=/dev/shm MODE=ring GB=0.5 BATCH_BYTES=16384 PARTITIONS=4
 * </pre>
 *
 * <p>Run each mode in its own JVM, alternating, and compare medians: the figure is the CPU of the
 * whole process, so nothing else may run in it.
 */
public final class RingWriteExperiment {
    private static final int HEADER_BYTES = 61;

    private RingWriteExperiment() {
    }

    public static void main(String[] args) throws Exception {
        final Path dir = Path.of(args[0]);
        final boolean ring = "ring".equals(args[1]);
        final long total = (long) (Double.parseDouble(args[2]) * 1e9);
        final int batchBytes = Integer.parseInt(args[3]);
        final int partitions = Integer.parseInt(args[4]);
        final Memory header = new Memory(HEADER_BYTES);
        final Memory payload = new Memory(batchBytes);
        for (int i = 0; i < batchBytes; i++) {
            payload.setByte(i, (byte) i);
        }
        header.clear();
        final Memory iovecs = new Memory(16L * 2 * partitions);
        final int[] fds = new int[partitions];
        final long[] positions = new long[partitions];
        final List<Path> files = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            final Path f = Files.createTempFile(dir, "ring-write-", ".log");
            files.add(f);
            fds[p] = LibC.open(f.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
            if (fds[p] < 0) {
                throw new IOException("open " + f + ": " + Errno.describe(LibC.errno()));
            }
            final long at = 32L * p;
            iovecs.setLong(at, Memory.nativeValue(header));
            iovecs.setLong(at + 8, HEADER_BYTES);
            iovecs.setLong(at + 16, Memory.nativeValue(payload));
            iovecs.setLong(at + 24, batchBytes);
        }
        final Ring r = Ring.create(64, 256, REACTOR_SETUP_FLAGS);
        final SqeWriter sqe = new SqeWriter(r);
        final CompletionBatch batch = new CompletionBatch(64);
        final long perBatch = HEADER_BYTES + batchBytes;
        final long requests = total / (perBatch * partitions);
        final long cpu0 = processCpuTicks();
        final long t0 = System.nanoTime();
        for (long q = 0; q < requests; q++) {
            if (ring) {
                for (int p = 0; p < partitions; p++) {
                    sqe.writev(fds[p], Memory.nativeValue(iovecs) + 32L * p, 2, positions[p], p + 1);
                }
                sqe.nop(0);
                int seen = 0;
                r.submitAndWait(partitions + 1, 0);
                while (seen < partitions + 1) {
                    final int n = r.drain(batch);
                    for (int i = 0; i < n; i++) {
                        final long ud = batch.userData(i);
                        if (ud != 0 && batch.res(i) != perBatch) {
                            throw new IOException("ring write res=" + batch.res(i) + " for partition " + (ud - 1));
                        }
                    }
                    seen += n;
                    if (seen < partitions + 1) {
                        r.submitAndWait(1, 0);
                    }
                }
                for (int p = 0; p < partitions; p++) {
                    positions[p] += perBatch;
                }
            } else {
                for (int p = 0; p < partitions; p++) {
                    final long w = LibC.pwritev(fds[p], Memory.nativeValue(iovecs) + 32L * p, 2, positions[p]);
                    if (w != perBatch) {
                        throw new IOException("pwritev wrote " + w + ": " + Errno.describe(LibC.errno()));
                    }
                    positions[p] += perBatch;
                }
                sqe.nop(0);
                r.submitAndWait(1, 0);
                r.drain(batch);
            }
        }
        final long t1 = System.nanoTime();
        final long cpu1 = processCpuTicks();
        final int workers = ioWorkers();
        r.close();
        for (int p = 0; p < partitions; p++) {
            LibC.close(fds[p]);
            Files.deleteIfExists(files.get(p));
        }
        final double cpuS = (cpu1 - cpu0) / 100.0;
        final double gb = requests * perBatch * partitions / 1e9;
        System.out.printf("mode=%s dir=%s batch=%d partitions=%d GB=%.3f cpu_s=%.2f cpu_s_per_GB=%.3f"
                + " us_per_request=%.2f wall_s=%.2f io_wq_workers=%d%n", ring ? "ring" : "pwritev", dir, batchBytes,
            partitions, gb, cpuS, cpuS / gb, cpuS * 1e6 / requests, (t1 - t0) / 1e9, workers);
    }

    private static long processCpuTicks() throws IOException {
        final String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static int ioWorkers() throws IOException {
        int n = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).startsWith("iou-wrk")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // the thread exited meanwhile
                }
            }
        }
        return n;
    }
}
