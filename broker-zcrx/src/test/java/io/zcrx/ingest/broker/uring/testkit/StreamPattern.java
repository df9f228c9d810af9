package io.zcrx.ingest.broker.uring.testkit;

import java.nio.ByteBuffer;

/**
 * Pattern payloads (liburing test/zcrx.c style): every byte is a function of its absolute position in
 * the connection's stream and a per-connection seed, so a chunk delivered at the wrong place, twice,
 * or from another connection shows exactly where it went wrong.
 */
public final class StreamPattern {
    private StreamPattern() {
    }

    public static byte byteAt(long seed, long position) {
        long x = position * 0x9E3779B97F4A7C15L + seed;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        return (byte) (x >>> 56);
    }

    /** Fills {@code dst} from its position to its limit with the pattern starting at {@code position}. */
    public static void fill(ByteBuffer dst, long seed, long position) {
        for (int i = dst.position(); i < dst.limit(); i++) {
            dst.put(i, byteAt(seed, position + i - dst.position()));
        }
    }

    /**
     * Index of the first byte of {@code memory[index, index + length)} that differs from the pattern at
     * {@code position}, or -1 when all match.
     */
    public static int firstMismatch(ByteBuffer memory, int index, int length, long seed, long position) {
        for (int i = 0; i < length; i++) {
            if (memory.get(index + i) != byteAt(seed, position + i)) {
                return i;
            }
        }
        return -1;
    }
}
