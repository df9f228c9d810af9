package io.zcrx.ingest.broker.transport.uring;

/**
 * io_uring ring and copy-mode receive-memory sizes, filled in by the broker from
 * {@code uring.sq.entries}, {@code uring.cq.entries}, {@code uring.buffer.bytes}, {@code uring.buffer.count}
 * (validated there; re-checked here because the kernel would reject them later with a vaguer errno).
 *
 * @param sqEntries   submission queue entries per ring (power of two)
 * @param cqEntries   completion queue entries per ring (power of two, &gt;= sqEntries): must exceed the CQEs
 *                    one loop iteration can produce, else multishot receives end on CQ overflow
 * @param bufferBytes copy mode: bytes per provided buffer
 * @param bufferCount copy mode: provided buffers per ring (power of two, at most 32768)
 */
public record UringSettings(int sqEntries, int cqEntries, int bufferBytes, int bufferCount) {
    public UringSettings {
        if (Integer.bitCount(sqEntries) != 1 || Integer.bitCount(cqEntries) != 1 || cqEntries < sqEntries
                || Integer.bitCount(bufferCount) != 1 || bufferCount > 32768 || bufferBytes < 1024
                || (long) bufferBytes * bufferCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("io_uring settings out of range: sqEntries=" + sqEntries + ", cqEntries="
                + cqEntries + ", bufferBytes=" + bufferBytes + ", bufferCount=" + bufferCount);
        }
    }
}
