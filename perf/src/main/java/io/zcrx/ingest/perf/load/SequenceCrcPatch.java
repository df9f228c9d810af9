package io.zcrx.ingest.perf.load;

import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The CRC-32C of one record batch as a function of its baseSequence, so the firehose can re-stamp
 * a pre-built batch with the next sequence at the cost of four table look-ups instead of a CRC pass
 * over the whole batch.
 *
 * <p>Why it works: the batch CRC covers bytes [21, end) (docs/kafka-protocol-notes.md#batch-crc), which include
 * baseSequence (bytes 53..56). CRC-32C is affine over GF(2) for messages of a fixed length:
 * {@code crc(a ^ b) = crc(a) ^ crc(b) ^ crc(0)}. Writing the sequence {@code x} into a batch whose
 * sequence field is zero is XOR-ing in a message that is zero except for those four bytes, so
 * <pre>
 *   crc(x) = crc(0) ^ T0[x >>> 24] ^ T1[(x >>> 16) &amp; 0xff] ^ T2[(x >>> 8) &amp; 0xff] ^ T3[x &amp; 0xff]
 *   Tk[v]  = XOR of g(bit) over the bits set in byte value v at byte k of the big-endian field
 *   g(i)   = crc(field = 1 &lt;&lt; i) ^ crc(field = 0)           (32 CRC passes, once per batch shape)
 * </pre>
 *
 * <p>Immutable after construction; safe from any thread.
 */
public final class SequenceCrcPatch {
    /** baseSequence relative to the first CRC-covered byte. */
    static final int SEQUENCE_IN_CRC_REGION =
        RecordBatchLayout.BASE_SEQUENCE_OFFSET - RecordBatchLayout.CRC_COVERED_OFFSET;

    private final int crcOfZero;
    private final int[] table = new int[4 * 256];

    /**
     * @param batch     holds the batch at absolute indices {@code [start, start + length)}; not modified
     */
    public SequenceCrcPatch(ByteBuffer batch, int start, int length) {
        if (length < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
            throw new IllegalArgumentException("batch shorter than its header: length=" + length);
        }
        final byte[] region = new byte[length - RecordBatchLayout.CRC_COVERED_OFFSET];
        batch.get(start + RecordBatchLayout.CRC_COVERED_OFFSET, region);
        crcOfZero = crcWithSequence(region, 0);
        final int[] bitDelta = new int[32];
        for (int bit = 0; bit < 32; bit++) {
            bitDelta[bit] = crcWithSequence(region, 1 << bit) ^ crcOfZero;
        }
        for (int k = 0; k < 4; k++) {
            // Byte k of the big-endian field carries bits 31-8k .. 24-8k of the sequence.
            final int lowBit = 24 - 8 * k;
            for (int v = 0; v < 256; v++) {
                int d = 0;
                for (int b = 0; b < 8; b++) {
                    if ((v & (1 << b)) != 0) {
                        d ^= bitDelta[lowBit + b];
                    }
                }
                table[k * 256 + v] = d;
            }
        }
    }

    private static int crcWithSequence(byte[] region, int sequence) {
        region[SEQUENCE_IN_CRC_REGION] = (byte) (sequence >>> 24);
        region[SEQUENCE_IN_CRC_REGION + 1] = (byte) (sequence >>> 16);
        region[SEQUENCE_IN_CRC_REGION + 2] = (byte) (sequence >>> 8);
        region[SEQUENCE_IN_CRC_REGION + 3] = (byte) sequence;
        final CRC32C crc = new CRC32C();
        crc.update(region, 0, region.length);
        return (int) crc.getValue();
    }

    /** The batch CRC (as the signed int stored at byte 17) once baseSequence is {@code sequence}. */
    public int crcFor(int sequence) {
        return crcOfZero
            ^ table[sequence >>> 24]
            ^ table[256 + ((sequence >>> 16) & 0xff)]
            ^ table[512 + ((sequence >>> 8) & 0xff)]
            ^ table[768 + (sequence & 0xff)];
    }

    /** Writes baseSequence and the matching CRC into the batch at {@code start} of {@code frame}. */
    public void stamp(ByteBuffer frame, int start, int sequence) {
        frame.putInt(start + RecordBatchLayout.BASE_SEQUENCE_OFFSET, sequence);
        frame.putInt(start + RecordBatchLayout.CRC_OFFSET, crcFor(sequence));
    }
}
