package io.zcrx.ingest.perf.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class SequenceCrcPatchTest {

    private static MemoryRecords batch(int records, int valueBytes) {
        final SimpleRecord[] r = new SimpleRecord[records];
        for (int i = 0; i < records; i++) {
            r[i] = new SimpleRecord(1_700_000_000_000L + i, null, new byte[valueBytes]);
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, 4711L, (short) 3, 0, r);
    }

    @Test
    void tableCrcEqualsAFullCrcPassForEverySequenceTried() {
        // Goal: the four-look-up CRC is the batch's real CRC-32C for any sequence. Method: stamp edge
        // and random sequences, compare with CRC32C over [21, end) and with kafka-clients' ensureValid.
        final ByteBuffer buf = batch(7, 100).buffer();
        final SequenceCrcPatch patch = new SequenceCrcPatch(buf, 0, buf.remaining());
        final SplittableRandom random = new SplittableRandom(7);
        final int[] edges = {0, 1, 255, 256, 65_535, 1 << 24, Integer.MAX_VALUE, Integer.MAX_VALUE - 3, 0x80808080, -1};
        for (int i = 0; i < 2000; i++) {
            final int seq = i < edges.length ? edges[i] : random.nextInt();
            patch.stamp(buf, 0, seq);
            final CRC32C crc = new CRC32C();
            crc.update(buf.duplicate().position(21));
            assertEquals((int) crc.getValue(), buf.getInt(17), "sequence=" + seq);
            final MutableRecordBatch b = MemoryRecords.readableRecords(buf.duplicate()).batches().iterator().next();
            b.ensureValid();
            assertEquals(seq, b.baseSequence(), "sequence=" + seq);
        }
    }

    @Test
    void patchAtAnOffsetInsideALargerBufferLeavesOtherBytesAlone() {
        // Goal: stamping a batch that sits at an offset touches only its sequence and CRC bytes.
        // Method: embed a batch between guard bytes, stamp, compare everything else with a copy.
        final ByteBuffer one = batch(3, 10).buffer();
        final ByteBuffer frame = ByteBuffer.allocate(one.remaining() + 64);
        for (int i = 0; i < frame.capacity(); i++) {
            frame.put(i, (byte) (i * 31));
        }
        frame.put(32, one, 0, one.remaining());
        final ByteBuffer before = ByteBuffer.allocate(frame.capacity()).put(frame.duplicate().clear()).flip();
        final SequenceCrcPatch patch = new SequenceCrcPatch(frame, 32, one.remaining());
        patch.stamp(frame, 32, 123_456);
        int changed = 0;
        for (int i = 0; i < frame.capacity(); i++) {
            if (frame.get(i) != before.get(i)) {
                final int rel = i - 32;
                final boolean allowed = (rel >= 17 && rel < 21) || (rel >= 53 && rel < 57);
                assertEquals(true, allowed, "unexpected change at index=" + i);
                changed++;
            }
        }
        assertEquals(true, changed > 0);
        MemoryRecords.readableRecords(frame.slice(32, one.remaining())).batches().iterator().next().ensureValid();
    }

    @Test
    void rejectsARegionShorterThanABatchHeader() {
        // Goal: a wrong length is refused with the value named. Method: pass 60 bytes.
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new SequenceCrcPatch(ByteBuffer.allocate(100), 0, 60));
        assertEquals(true, e.getMessage().contains("length=60"));
    }
}
