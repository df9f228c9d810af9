package io.zcrx.ingest.broker.group;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.zcrx.ingest.log.AppendBatch;
import io.zcrx.ingest.log.AppendResult;
import io.zcrx.ingest.log.FetchRegion;
import io.zcrx.ingest.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * One {@code __consumer_offsets} partition led here, seen as the group coordinator's journal:
 * {@link #append} writes the records of one request as one magic v2 batch (built by kafka-clients'
 * {@code MemoryRecordsBuilder}, so its CRC and layout are Kafka's) through the same
 * {@link PartitionLog#append} the produce path uses, and {@link #replay} reads the partition from
 * its log start to its log end and hands every record's key and value over in offset order.
 *
 * <p>The log appends from an {@link AppendBatch}: a 61-byte header copy plus payload ranges in
 * native memory (receive memory on the produce path). Here the built batch is copied into a direct
 * buffer owned by this object; the header goes to the batch's header copy and the rest is one range.
 * A commit is a few hundred bytes; the copy costs nothing next to the write.
 *
 * <p>Thread safety: {@link #append} is synchronized (the batch and the direct buffer are reused);
 * {@link #replay} runs on the loading thread before any append.
 */
final class OffsetsTopicLog {
    /** Bytes asked of the log per read while loading (whole batches; one larger batch still comes). */
    static final int READ_BYTES = 1 << 20;

    private final PartitionLog log;
    private final AppendBatch batch = new AppendBatch();
    private final AppendResult result = new AppendResult();
    private ByteBuffer direct = ByteBuffer.allocateDirect(4096);
    private long directAddress = Pointer.nativeValue(Native.getDirectBufferPointer(direct));

    OffsetsTopicLog(PartitionLog log) {
        this.log = log;
    }

    PartitionLog log() {
        return log;
    }

    /** Appends {@code records} as one batch; returns its base offset; throws when the log refused it. */
    synchronized long append(List<SimpleRecord> records, long nowMs) throws IOException {
        final MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(estimate(records)),
            RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE, TimestampType.CREATE_TIME, 0L);
        for (SimpleRecord r : records) {
            builder.append(r);
        }
        final ByteBuffer built = builder.build().buffer();
        final int size = built.remaining();
        if (direct.capacity() < size) {
            direct = ByteBuffer.allocateDirect(Math.max(size, 2 * direct.capacity()));
            directAddress = Pointer.nativeValue(Native.getDirectBufferPointer(direct));
        }
        direct.clear();
        direct.put(built.duplicate());
        final ByteBuffer header = batch.header();
        for (int i = 0; i < AppendBatch.HEADER_LENGTH; i++) {
            header.put(i, built.get(built.position() + i));
        }
        batch.payload().clear();
        batch.payload().add(directAddress + AppendBatch.HEADER_LENGTH, size - AppendBatch.HEADER_LENGTH);
        log.append(batch, nowMs, result);
        if (result.errorCode != 0) {
            throw new IOException("append to " + log.topicPartition() + " failed: errorCode=" + result.errorCode
                + ", " + result.errorMessage);
        }
        return result.baseOffset;
    }

    private static int estimate(List<SimpleRecord> records) {
        int n = AppendBatch.HEADER_LENGTH;
        for (SimpleRecord r : records) {
            // Per record: its varint framing (at most 5 x 5 bytes plus attributes) and the key and value.
            n += 32 + r.key().remaining() + (r.value() == null ? 0 : r.value().remaining());
        }
        return n;
    }

    /**
     * Reads every batch from the log start to the log end as it was when the replay began, checks
     * each batch's CRC, skips control batches, and passes each record's key and value (null for a
     * tombstone) to {@code visitor} in offset order. Returns the offset it read up to.
     */
    long replay(BiConsumer<ByteBuffer, ByteBuffer> visitor) throws IOException {
        final long end = log.logEndOffset();
        long offset = log.logStartOffset();
        final FetchRegion region = new FetchRegion();
        try {
            while (offset < end) {
                // To the log end, past the high watermark, as Kafka's coordinator loader reads (LOG_END isolation).
                log.readForFollower(offset, READ_BYTES, true, region);
                if (region.errorCode != 0) {
                    throw new IOException("reading " + log.topicPartition() + " at offset " + offset
                        + " failed: errorCode=" + region.errorCode + ", " + region.errorMessage);
                }
                if (region.length == 0) {
                    break;
                }
                final ByteBuffer buf = ByteBuffer.allocate(region.length);
                long at = region.position;
                while (buf.hasRemaining()) {
                    final int n = region.channel.read(buf, at);
                    if (n < 0) {
                        throw new IOException("short read of " + log.topicPartition() + " at file position " + at);
                    }
                    at += n;
                }
                buf.flip();
                final long before = offset;
                for (MutableRecordBatch b : MemoryRecords.readableRecords(buf).batches()) {
                    if (b.lastOffset() < offset) {
                        continue;
                    }
                    b.ensureValid();
                    if (!b.isControlBatch()) {
                        for (Record r : b) {
                            if (r.offset() >= offset && r.offset() < end) {
                                visitor.accept(r.key(), r.value());
                            }
                        }
                    }
                    offset = b.nextOffset();
                }
                if (offset == before) {
                    throw new IOException("no progress reading " + log.topicPartition() + " at offset " + offset);
                }
            }
        } finally {
            region.reset();
        }
        return offset;
    }
}
