package io.zcrx.ingest.log;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Record batches made by kafka-clients, loaded into an {@link AppendBatch} the way the broker does
 * it: the 61-byte header copied into the batch's header scratch, the payload left in "receive
 * memory" (a direct buffer standing in for a zcrx area) as several non-adjacent ranges, with junk
 * bytes between them so that a misplaced range corrupts the written batch visibly.
 *
 * <p>The arena is reused: a loaded batch is valid until the next {@link #load}. Not thread-safe.
 */
final class TestBatches {
    static final Compression[] CODECS = {
        Compression.NONE, Compression.gzip().build(), Compression.snappy().build(), Compression.lz4().build(),
        Compression.zstd().build(),
    };

    private final ByteBuffer arena;
    private final long arenaAddress;
    private final Random random;
    private int maxPieces = 5;

    TestBatches(int arenaBytes, long seed) {
        arena = ByteBuffer.allocateDirect(arenaBytes);
        arenaAddress = Pointer.nativeValue(Native.getDirectBufferPointer(arena));
        random = new Random(seed);
    }

    TestBatches maxPieces(int n) {
        maxPieces = n;
        return this;
    }

    Random random() {
        return random;
    }

    /** Copies {@code records} (one batch) into {@code target}: header scratch plus scattered payload ranges. */
    AppendBatch load(AppendBatch target, MemoryRecords records) {
        final ByteBuffer src = records.buffer().duplicate();
        final int size = src.remaining();
        final int payloadLength = size - AppendBatch.HEADER_LENGTH;
        final ByteBuffer header = target.header();
        for (int i = 0; i < AppendBatch.HEADER_LENGTH; i++) {
            header.put(i, src.get(src.position() + i));
        }
        target.payload().clear();
        final int pieces = payloadLength == 0 ? 0 : 1 + random.nextInt(Math.min(maxPieces, payloadLength));
        final int[] cuts = new int[pieces + 1];
        cuts[pieces] = payloadLength;
        for (int i = 1; i < pieces; i++) {
            cuts[i] = 1 + random.nextInt(payloadLength - 1);
        }
        Arrays.sort(cuts, 1, pieces);
        int at = random.nextInt(64);
        for (int i = 0; i < pieces; i++) {
            final int length = cuts[i + 1] - cuts[i];
            if (length == 0) {
                continue;
            }
            if (at + length + 64 > arena.capacity()) {
                throw new IllegalArgumentException("arena too small: arenaBytes=" + arena.capacity() + ", batchSize="
                    + size);
            }
            for (int k = 0; k < length; k++) {
                arena.put(at + k, src.get(src.position() + AppendBatch.HEADER_LENGTH + cuts[i] + k));
            }
            target.payload().add(arenaAddress + at, length);
            at += length;
            final int gap = 1 + random.nextInt(63);
            for (int k = 0; k < gap; k++) {
                arena.put(at + k, (byte) 0xEE);
            }
            at += gap;
        }
        return target;
    }

    /** {@code count} records with values of {@code valueBytes} random bytes, timestamps from {@code timestampMs}. */
    SimpleRecord[] records(int count, int valueBytes, long timestampMs) {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            final byte[] value = new byte[valueBytes];
            random.nextBytes(value);
            final byte[] key = random.nextBoolean() ? null : ("k"
                + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
            final Header[] headers = random.nextInt(4) == 0
                ? new Header[] {new RecordHeader("h", new byte[] {(byte) i})} : new Header[0];
            records[i] = new SimpleRecord(timestampMs + i, key, value, headers);
        }
        return records;
    }

    static MemoryRecords plain(Compression codec, SimpleRecord... records) {
        return MemoryRecords.withRecords(codec, records);
    }

    static MemoryRecords idempotent(Compression codec, long producerId, short epoch, int baseSequence,
            SimpleRecord... records) {
        return MemoryRecords.withIdempotentRecords(codec, producerId, epoch, baseSequence, records);
    }
}
