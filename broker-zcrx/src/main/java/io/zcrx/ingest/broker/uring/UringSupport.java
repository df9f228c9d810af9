package io.zcrx.ingest.broker.uring;

import com.sun.jna.Memory;
import io.zcrx.ingest.nativeio.Errno;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.zcrx.ingest.broker.uring.UringConstants.IORING_FEAT_RECVSEND_BUNDLE;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_ACCEPT;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_ASYNC_CANCEL;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_READ;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_RECV;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_RECV_ZC;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_SEND;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_SHUTDOWN;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_REGISTER_PROBE;
import static io.zcrx.ingest.broker.uring.UringConstants.IO_URING_OP_SUPPORTED;
import static io.zcrx.ingest.broker.uring.UringConstants.REACTOR_SETUP_FLAGS;

/**
 * What this kernel's io_uring can do, probed once (docs/kernel-abi.md#capability-probing-and-fallback): a
 * throw-away ring with the reactor's exact setup flags, then {@code IORING_REGISTER_PROBE} for the opcodes we
 * submit. Where something is missing, {@link #reason()} says what and why (errno and its meaning), so transport
 * selection and {@code doctor} can print it.
 *
 * <p>Immutable; {@link #get()} is thread-safe (the probe ring is created and closed on the calling
 * thread, so SINGLE_ISSUER is respected).
 */
public final class UringSupport {
    /** Opcodes copy mode cannot run without. */
    private static final int[] COPY_MODE_OPS = {
        IORING_OP_ACCEPT, IORING_OP_RECV, IORING_OP_SEND, IORING_OP_ASYNC_CANCEL, IORING_OP_READ, IORING_OP_SHUTDOWN
    };
    private static final String[] COPY_MODE_OP_NAMES = {"ACCEPT", "RECV", "SEND", "ASYNC_CANCEL", "READ", "SHUTDOWN"};

    private static volatile UringSupport cached;

    private final boolean ringAvailable;
    private final int setupErrno;
    private final String reason;
    private final int features;
    private final boolean[] ops;
    private final int lastOp;

    private UringSupport(boolean ringAvailable, int setupErrno, String reason, int features, boolean[] ops,
                         int lastOp) {
        this.ringAvailable = ringAvailable;
        this.setupErrno = setupErrno;
        this.reason = reason;
        this.features = features;
        this.ops = ops;
        this.lastOp = lastOp;
    }

    /** The JVM-wide probe result (probed on first use). */
    public static UringSupport get() {
        UringSupport s = cached;
        if (s == null) {
            synchronized (UringSupport.class) {
                s = cached;
                if (s == null) {
                    s = probe();
                    cached = s;
                }
            }
        }
        return s;
    }

    /** Runs the probe now (tests, doctor). */
    public static UringSupport probe() {
        final Ring ring;
        try {
            ring = Ring.create(8, 16, REACTOR_SETUP_FLAGS);
        } catch (UringException e) {
            String why = e.getMessage();
            if (e.errno() != 0) {
                final SetupOutcome outcome = SetupOutcome.of(e.errno());
                why = "io_uring_setup: " + Errno.describe(e.errno()) + ", " + outcome.meaning() + disabledSysctl();
            }
            return new UringSupport(false, e.errno(), why, 0, new boolean[256], -1);
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            return new UringSupport(false, 0, "native access unavailable: " + e, 0, new boolean[256], -1);
        }
        try {
            final boolean[] ops = new boolean[256];
            final int slots = UringLayout.Probe.OPS_CAPACITY;
            final Memory probe = new Memory(UringLayout.Probe.SIZE + (long) slots * UringLayout.Probe.OP_SIZE);
            probe.clear();
            final int rc = ring.register(IORING_REGISTER_PROBE, Memory.nativeValue(probe), slots);
            if (rc < 0) {
                return new UringSupport(false, 0, "IORING_REGISTER_PROBE: " + Errno.describe(-rc)
                    + ", kernel too old for opcode probing (< 5.6)", ring.features(), ops, -1);
            }
            final int lastOp = probe.getByte(UringLayout.Probe.LAST_OP_OFFSET) & 0xFF;
            final int opsLen = probe.getByte(UringLayout.Probe.OPS_LEN_OFFSET) & 0xFF;
            for (int i = 0; i < opsLen; i++) {
                final long at = UringLayout.Probe.OPS_OFFSET + (long) i * UringLayout.Probe.OP_SIZE;
                final int op = probe.getByte(at + UringLayout.Probe.OP_OP_OFFSET) & 0xFF;
                final int flags = probe.getShort(at + UringLayout.Probe.OP_FLAGS_OFFSET) & 0xFFFF;
                ops[op] = (flags & IO_URING_OP_SUPPORTED) != 0;
            }
            final StringBuilder missing = new StringBuilder();
            for (int i = 0; i < COPY_MODE_OPS.length; i++) {
                if (!ops[COPY_MODE_OPS[i]]) {
                    missing.append(missing.length() == 0 ? "" : ", ").append(COPY_MODE_OP_NAMES[i]);
                }
            }
            final String reason = missing.length() == 0 ? null : "kernel lacks io_uring opcodes: " + missing;
            return new UringSupport(true, 0, reason, ring.features(), ops, lastOp);
        } finally {
            ring.close();
        }
    }

    private static String disabledSysctl() {
        try {
            final String v =
                Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled"), StandardCharsets.US_ASCII).trim();
            return ", kernel.io_uring_disabled=" + v;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** A ring with the reactor's flags can be created. */
    public boolean ringAvailable() {
        return ringAvailable;
    }

    /** Copy-mode io_uring can run: the ring and every opcode it submits are supported. */
    public boolean copyModeAvailable() {
        return ringAvailable && reason == null;
    }

    /** The kernel knows RECV_ZC (6.15+): a zcrx registration is worth attempting. */
    public boolean recvZcSupported() {
        return copyModeAvailable() && ops[IORING_OP_RECV_ZC];
    }

    /** Multishot RECV may use bundles (6.10+). */
    public boolean bundlesSupported() {
        return (features & IORING_FEAT_RECVSEND_BUNDLE) != 0;
    }

    public boolean opSupported(int opcode) {
        return opcode >= 0 && opcode < ops.length && ops[opcode];
    }

    public int features() {
        return features;
    }

    public int lastOp() {
        return lastOp;
    }

    /** Positive errno of a failed io_uring_setup, 0 otherwise. */
    public int setupErrno() {
        return setupErrno;
    }

    /** Why copy mode cannot run, or null when it can. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "UringSupport(ring=" + ringAvailable + ", copyMode=" + copyModeAvailable()
            + ", recvZc=" + recvZcSupported() + ", bundles=" + bundlesSupported()
            + ", features=0x" + Integer.toHexString(features) + ", lastOp=" + lastOp
            + (reason == null ? "" : ", reason=" + reason) + ")";
    }
}
