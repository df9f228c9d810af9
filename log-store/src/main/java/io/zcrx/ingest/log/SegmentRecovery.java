package io.zcrx.ingest.log;

import io.zcrx.ingest.log.epoch.LeaderEpochCache;
import io.zcrx.ingest.log.index.OffsetIndex;
import io.zcrx.ingest.log.index.TimeIndex;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Loading one segment found on disk (docs/kafka-protocol-notes.md#recovery-and-clean-shutdown;
 * Kafka's {@code LogSegment.recover}): trust it and find its end, or validate every batch, rebuild
 * its indexes and cut it at the first bad batch. Separate from {@link Segment}, which is about the
 * live segment (appends, roll, seal, flush); this runs once per segment at start-up, on the
 * loader's thread, before the log is published, on a segment whose handles the loader holds open
 * ({@link Segment#open}).
 */
final class SegmentRecovery {
    private SegmentRecovery() {
    }

    /** Result of {@link #recover}. */
    static final class Result {
        int validBatches;
        int truncatedBytes;
        String reason;
    }

    /**
     * For a segment trusted as it is (clean shutdown, or below the recovery point): finds the next
     * offset by scanning batch headers from the last index entry, and takes the max timestamp from
     * the time index's last entry (a cleanly closed segment ends with it).
     */
    static void loadNextOffset(Segment segment, ByteBuffer scratch) throws IOException {
        final SegmentFiles f = segment.files();
        final OffsetIndex offsetIndex = f.offsetIndex;
        final int s = segment.size();
        int position = offsetIndex.entries() == 0 ? 0 : OffsetIndex.positionOf(offsetIndex.lookup(Long.MAX_VALUE));
        long next = segment.baseOffset();
        while (position < s) {
            final int n = BatchHeaders.read(f.channel, position, s, scratch);
            if (n < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                break;
            }
            final int batchSize = BatchHeaders.batchSize(scratch);
            if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD || (long) position + batchSize > s) {
                break;
            }
            next = BatchHeaders.lastOffset(scratch) + 1;
            position += batchSize;
        }
        if (position != s) {
            throw new IOException("segment does not end on a batch boundary: file=" + segment.logFile() + ", position="
                + position + ", size=" + s);
        }
        segment.restoreState(s, next, f.timeIndex.lastEntryTimestamp(), f.timeIndex.lastEntryOffset(),
            Segment.UNKNOWN_TIMESTAMP, false);
    }

    /**
     * Kafka's LogSegment.recover: rebuilds both indexes from the {@code .log}, checking every batch
     * (complete, size &gt;= 61, magic 2, CRC-32C, offsets increasing, relative offset fits INT32), and
     * cuts the file at the first batch that fails. Indexes end trimmed with the final time-index
     * entry, as after a clean close. {@code scratch} (64 bytes) receives each header; {@code body} is
     * the read buffer. Each valid batch of a newer leader epoch than {@code epochs} knows adds that epoch's
     * start (Kafka does the same; null: the loader rebuilds the history itself afterwards).
     */
    static Result recover(Segment segment, ByteBuffer scratch, ByteBuffer body, LeaderEpochCache epochs)
            throws IOException {
        final SegmentFiles f = segment.files();
        final OffsetIndex offsetIndex = f.offsetIndex;
        final TimeIndex timeIndex = f.timeIndex;
        final long baseOffset = segment.baseOffset();
        final int indexIntervalBytes = segment.indexIntervalBytes();
        final Result result = new Result();
        offsetIndex.resetEntries();
        timeIndex.resetEntries();
        long maxTimestamp = TimeIndex.NO_TIMESTAMP;
        long offsetOfMaxTimestamp = baseOffset;
        long rollingBasedTimestamp = Segment.UNKNOWN_TIMESTAMP;
        final long fileSize = f.channel.size();
        int validBytes = 0;
        int lastIndexEntry = 0;
        long expectedMinOffset = baseOffset;
        final CRC32C crc = new CRC32C();
        final SequentialReader reader = new SequentialReader(f.channel, body, fileSize);
        while (validBytes < fileSize) {
            final int n = reader.copy(validBytes, RecordBatchLayout.RECORD_BATCH_OVERHEAD, scratch);
            if (n < RecordBatchLayout.LOG_OVERHEAD) {
                result.reason = "incomplete batch header at position " + validBytes;
                break;
            }
            final int batchSize = BatchHeaders.batchSize(scratch);
            if (batchSize < Segment.MIN_BATCH_SIZE) {
                result.reason = "batch size " + batchSize + " below " + Segment.MIN_BATCH_SIZE + " at position "
                    + validBytes;
                break;
            }
            if (validBytes + (long) batchSize > fileSize) {
                result.reason = "incomplete batch at position " + validBytes + " (size " + batchSize + ", file ends at "
                    + fileSize + ")";
                break;
            }
            if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD || n < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                result.reason = "batch size " + batchSize + " below the v2 header at position " + validBytes;
                break;
            }
            final byte magic = scratch.get(RecordBatchLayout.MAGIC_OFFSET);
            if (magic != RecordBatchLayout.MAGIC_V2) {
                result.reason = "magic " + magic + " at position " + validBytes;
                break;
            }
            final long batchBase = BatchHeaders.baseOffset(scratch);
            final int lastDelta = scratch.getInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
            final long batchLast = batchBase + lastDelta;
            if (lastDelta < 0 || batchBase < expectedMinOffset || !segment.canConvertToRelativeOffset(batchLast)) {
                result.reason = "offsets out of order at position " + validBytes + " (baseOffset " + batchBase
                    + ", lastOffsetDelta " + lastDelta + ", expected at least " + expectedMinOffset + ")";
                break;
            }
            final long storedCrc = scratch.getInt(RecordBatchLayout.CRC_OFFSET) & 0xFFFF_FFFFL;
            crc.reset();
            reader.crc(validBytes + (long) RecordBatchLayout.CRC_COVERED_OFFSET, validBytes + (long) batchSize, crc);
            if (storedCrc != crc.getValue()) {
                result.reason = "CRC mismatch at position " + validBytes + " (baseOffset " + batchBase + ")";
                break;
            }
            final long batchMaxTimestamp = scratch.getLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET);
            if (validBytes == 0) {
                rollingBasedTimestamp = batchMaxTimestamp;
            }
            // An empty batch (the cleaner keeps some) carries no record: never the segment's max timestamp entry.
            if (batchMaxTimestamp > maxTimestamp && scratch.getInt(RecordBatchLayout.RECORDS_COUNT_OFFSET) != 0) {
                maxTimestamp = batchMaxTimestamp;
                offsetOfMaxTimestamp = batchLast;
            }
            // Recovery measures the interval from the last entry's position, as Kafka's recover() does.
            if (validBytes - lastIndexEntry > indexIntervalBytes) {
                offsetIndex.reserve(1);
                timeIndex.reserve(1);
                offsetIndex.append(batchLast, validBytes);
                timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp, false);
                lastIndexEntry = validBytes;
            }
            if (epochs != null) {
                epochs.assignFromBatch(scratch.getInt(RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET), batchBase);
            }
            validBytes += batchSize;
            expectedMinOffset = batchLast + 1;
            result.validBatches++;
        }
        result.truncatedBytes = (int) (fileSize - validBytes);
        if (result.truncatedBytes > 0) {
            f.channel.truncate(validBytes);
        }
        segment.restoreState(validBytes, expectedMinOffset, maxTimestamp, offsetOfMaxTimestamp, rollingBasedTimestamp,
            true);
        offsetIndex.trimToValidSize();
        timeIndex.reserve(1);
        timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp, true);
        timeIndex.trimToValidSize();
        return result;
    }

    /** Empties the segment down to its base offset (recovery could not read it). */
    static void truncateFully(Segment segment) throws IOException {
        final SegmentFiles f = segment.files();
        f.channel.truncate(0);
        f.offsetIndex.resetEntries();
        f.timeIndex.resetEntries();
        f.offsetIndex.trimToValidSize();
        f.timeIndex.trimToValidSize();
        segment.restoreState(0, segment.baseOffset(), TimeIndex.NO_TIMESTAMP, segment.baseOffset(),
            Segment.UNKNOWN_TIMESTAMP, true);
    }
}
