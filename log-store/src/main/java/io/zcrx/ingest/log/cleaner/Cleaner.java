package io.zcrx.ingest.log.cleaner;

import io.zcrx.ingest.log.CleanableSegment;
import io.zcrx.ingest.log.CleanedSegment;
import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetention;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clean of one log (Kafka's {@code Cleaner.doClean}), on one cleaner thread:
 *
 * <ol>
 *   <li>offset map: the key of every record in the dirty section {@code [firstDirty, firstUncleanable)} to the last
 *       offset holding it, until the map is {@code loadFactor} full ({@link OffsetMap#latestOffset} says how far it
 *       got; the rest stays dirty for the next clean);</li>
 *   <li>the segments from the log start up to the map's end, grouped so a group's log and indexes fit one segment
 *       ({@code segment.bytes}, {@code segment.index.bytes}, offsets within 2^31 of the group's base);</li>
 *   <li>each group rewritten into one {@link CleanedSegment}: a record is kept when it lies past the map, or it is
 *       the last of its key and has a value, or it is a tombstone whose batch's delete horizon has not passed
 *       (KIP-534: the first clean that keeps a tombstone stamps its batch with now + {@code delete.retention.ms});
 *       keyless records are dropped (the produce path refuses them for compacted topics);</li>
 *   <li>the cleaned segment swapped in for its group ({@link PartitionLog#replaceSegments}).</li>
 * </ol>
 *
 * <p>The filtering itself is kafka-clients' {@code MemoryRecords.filterTo}, which Kafka's own cleaner uses: it keeps
 * base and last offsets and producer id/epoch/sequences of every rewritten batch, recompresses a compressed batch
 * with its codec, stamps the delete horizon, computes the CRC, and copies untouched batches byte for byte. Batches
 * are kept even when emptied (61-byte headers) when they are a live producer's last batch (so its sequence and
 * epoch survive a reload, Kafka's rule) or the last batch of a group (so the group's offset range, which crash
 * recovery of a swap relies on, and the log's end stay known).
 *
 * <p>I/O goes through the shared {@link Throttler}; {@code aborted} is polled between chunks (shutdown).
 */
final class Cleaner {
    private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);

    private final int id;
    private final OffsetMap map;
    private final double loadFactor;
    private final int ioBufferSize;
    private final Throttler throttler;
    private final LongSupplier clock;
    private final BooleanSupplier aborted;
    private final BufferSupplier decompression = BufferSupplier.create();
    private ByteBuffer readBuffer;
    private ByteBuffer writeBuffer;

    Cleaner(int id, CleanerConfig config, Throttler throttler, LongSupplier clock, BooleanSupplier aborted) {
        this.id = id;
        this.map = new OffsetMap(config.dedupeBytesPerThread());
        this.loadFactor = config.loadFactor();
        this.ioBufferSize = config.ioBufferBytesPerThread();
        this.throttler = throttler;
        this.clock = clock;
        this.aborted = aborted;
        this.readBuffer = ByteBuffer.allocate(ioBufferSize);
        this.writeBuffer = ByteBuffer.allocate(ioBufferSize);
        if (map.slots() * loadFactor < 1) {
            throw new IllegalArgumentException("offset map too small for one record: increase "
                + "log.cleaner.dedupe.buffer.size or decrease log.cleaner.threads");
        }
    }

    /** Thrown between chunks when the cleaner is shutting down; the clean's files are deleted. */
    static final class AbortedException extends RuntimeException {
        AbortedException() {
            super("cleaning aborted", null, false, false);
        }
    }

    /**
     * Cleans {@code ltc}; returns the first offset not cleaned (the next clean's first dirty offset).
     *
     * @throws IOException a read or write failed (the clean is abandoned, its files deleted)
     */
    long clean(LogToClean ltc, CleanerStats stats) throws IOException {
        final PartitionLog log = ltc.log();
        final long now = clock.getAsLong();
        final List<CleanableSegment> segments = log.cleanableSegments();
        final long activeBase = log.activeSegmentBaseOffset();
        LOG.info("Cleaner {}: beginning cleaning of log {} (dirty offsets [{}, {}))", id, log.topicPartition(),
            ltc.firstDirtyOffset(), ltc.firstUncleanableOffset());
        buildOffsetMap(log, segments, activeBase, ltc.firstDirtyOffset(), ltc.firstUncleanableOffset(), stats);
        final long endOffset = map.latestOffset() + 1;
        stats.mapCompleteNs = System.nanoTime();
        final LogConfig config = log.config();
        final Map<Long, Long> lastOfProducers = log.lastDataOffsetsOfActiveProducers();
        for (List<CleanableSegment> group : groupBySize(segmentsBelow(segments, endOffset), config.segmentBytes,
                config.segmentIndexBytes)) {
            cleanGroup(log, group, now, config, lastOfProducers, stats);
        }
        stats.bufferUtilization = map.utilization();
        stats.mapRegionSlots = map.regionSlots();
        stats.mapSlots = map.slots();
        stats.endNs = System.nanoTime();
        return endOffset;
    }

    // ---------------------------------------------------------------------------------------------
    // Offset map

    private void buildOffsetMap(PartitionLog log, List<CleanableSegment> segments, long activeBase, long start,
                                long end, CleanerStats stats) throws IOException {
        map.clear();
        final int maxEntries = (int) (map.slots() * loadFactor);
        final List<CleanableSegment> dirty = overlapping(segments, activeBase, start, end);
        for (int i = 0; i < dirty.size(); i++) {
            final CleanableSegment s = dirty.get(i);
            final long nextStart = i + 1 < dirty.size() ? dirty.get(i + 1).baseOffset() : end;
            if (mapSegment(log, s, start, maxEntries, stats)) {
                return;
            }
            // Offsets missing at the segment's end (gaps) count as mapped.
            map.updateLatestOffset(Math.max(map.latestOffset(), nextStart - 1));
        }
    }

    /** Maps the keys of one segment from {@code start}; true when the map filled up inside it. */
    private boolean mapSegment(PartitionLog log, CleanableSegment s, long start, int maxEntries, CleanerStats stats)
            throws IOException {
        int position = s.positionAtOrBefore(start);
        while (position < s.sizeInBytes()) {
            checkAborted();
            final MemoryRecords records = readChunk(s, position);
            throttler.maybeThrottle(records.sizeInBytes());
            final int before = position;
            for (MutableRecordBatch batch : records.batches()) {
                if (!batch.isControlBatch()) {
                    try (CloseableIterator<Record> it = batch.streamingIterator(decompression)) {
                        while (it.hasNext()) {
                            final Record r = it.next();
                            if (r.hasKey() && r.offset() >= start) {
                                if (map.size() >= maxEntries) {
                                    return true;
                                }
                                map.put(r.key(), r.offset());
                            }
                            stats.mapMessagesRead++;
                        }
                    }
                }
                if (batch.lastOffset() >= start) {
                    map.updateLatestOffset(batch.lastOffset());
                }
                position += batch.sizeInBytes();
            }
            stats.mapBytesRead += position - before;
            if (position == before) {
                growBuffers(s, position, log.config().maxMessageBytes, records);
            }
        }
        restoreBuffers();
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // Rewrite

    private void cleanGroup(PartitionLog log, List<CleanableSegment> group, long now, LogConfig config,
                            Map<Long, Long> lastOfProducers, CleanerStats stats) throws IOException {
        final CleanableSegment last = group.get(group.size() - 1);
        final long groupEnd = last.nextOffset();
        final CleanedSegment cleaned = log.createCleanedSegment(group.get(0).baseOffset());
        boolean handedOver = false;
        try {
            final LogCleanerFilter filter = new LogCleanerFilter(now, config.deleteRetentionMs, lastOfProducers,
                groupEnd, stats);
            for (CleanableSegment s : group) {
                cleanInto(s, cleaned, filter, config.maxMessageBytes, stats);
            }
            cleaned.seal(last.lastModifiedMs());
            checkAborted();
            handedOver = true;
            if (log.replaceSegments(cleaned, group, clock.getAsLong())) {
                stats.segmentsSwapped += group.size();
                LOG.debug("Cleaner {}: swapped in {} for {} segment(s) of {}", id, cleaned, group.size(),
                    log.topicPartition());
            } else {
                throw new LogChangedException();
            }
        } finally {
            if (!handedOver) {
                cleaned.close();
            }
        }
    }

    /** The log's segments changed under the clean (retention, truncation, deletion): stop this clean. */
    static final class LogChangedException extends RuntimeException {
        LogChangedException() {
            super("log changed during the clean", null, false, false);
        }
    }

    private void cleanInto(CleanableSegment source, CleanedSegment dest, LogCleanerFilter filter, int maxMessageBytes,
                           CleanerStats stats) throws IOException {
        int position = 0;
        while (position < source.sizeInBytes()) {
            checkAborted();
            final MemoryRecords records = readChunk(source, position);
            throttler.maybeThrottle(records.sizeInBytes());
            writeBuffer.clear();
            final MemoryRecords.FilterResult result = records.filterTo(filter, writeBuffer, decompression);
            stats.bytesRead += result.bytesRead();
            stats.messagesRead += result.messagesRead();
            stats.bytesWritten += result.bytesRetained();
            stats.messagesWritten += result.messagesRetained();
            position += result.bytesRead();
            final ByteBuffer out = result.outputBuffer();
            if (out.position() > 0) {
                out.flip();
                dest.append(out);
                throttler.maybeThrottle(out.limit());
            }
            if (out != writeBuffer && out.capacity() > writeBuffer.capacity()) {
                // filterTo grew its output for a large batch: keep the larger buffer for this segment.
                writeBuffer = ByteBuffer.allocate(out.capacity());
            }
            if (records.sizeInBytes() > 0 && result.bytesRead() == 0) {
                growBuffers(source, position, maxMessageBytes, records);
            }
        }
        restoreBuffers();
    }

    /** Reads the chunk at {@code position} into the read buffer. */
    private MemoryRecords readChunk(CleanableSegment s, int position) throws IOException {
        readBuffer.clear();
        s.read(readBuffer, position);
        readBuffer.flip();
        return MemoryRecords.readableRecords(readBuffer);
    }

    /** Kafka's {@code growBuffersOrFail}: a batch larger than the buffer; doubles them up to the largest batch. */
    private void growBuffers(CleanableSegment s, int position, int maxMessageBytes, MemoryRecords records) {
        final int max;
        if (readBuffer.capacity() >= maxMessageBytes) {
            final Integer next = records.firstBatchSize();
            if (next == null || next <= readBuffer.capacity() || next > s.sizeInBytes() - position) {
                throw new IllegalStateException("unreadable batch in segment " + s + " at position " + position
                    + ": batchSize=" + next + ", buffer=" + readBuffer.capacity());
            }
            max = next;
        } else {
            max = maxMessageBytes;
        }
        final int size = Math.min(Math.max(readBuffer.capacity() * 2, 1), Math.max(max, ioBufferSize));
        if (size <= readBuffer.capacity()) {
            throw new IllegalStateException("batch larger than the cleaner's largest buffer in segment " + s
                + " at position " + position + ": buffer=" + readBuffer.capacity());
        }
        readBuffer = ByteBuffer.allocate(size);
        writeBuffer = ByteBuffer.allocate(size);
    }

    private void restoreBuffers() {
        if (readBuffer.capacity() > ioBufferSize) {
            readBuffer = ByteBuffer.allocate(ioBufferSize);
        }
        if (writeBuffer.capacity() > ioBufferSize) {
            writeBuffer = ByteBuffer.allocate(ioBufferSize);
        }
    }

    private void checkAborted() {
        if (aborted.getAsBoolean()) {
            throw new AbortedException();
        }
    }

    /** Kafka's record retention rules for one group (see the class comment). */
    private final class LogCleanerFilter extends MemoryRecords.RecordFilter {
        private final Map<Long, Long> lastOfProducers;
        private final long groupEnd;
        private final CleanerStats stats;

        LogCleanerFilter(long now, long deleteRetentionMs, Map<Long, Long> lastOfProducers, long groupEnd,
                         CleanerStats stats) {
            super(now, deleteRetentionMs);
            this.lastOfProducers = lastOfProducers;
            this.groupEnd = groupEnd;
            this.stats = stats;
        }

        @Override
        protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
            final Long lastOfProducer = batch.hasProducerId() ? lastOfProducers.get(batch.producerId()) : null;
            final BatchRetention retention;
            if (lastOfProducer != null && lastOfProducer == batch.lastOffset()) {
                retention = BatchRetention.RETAIN_EMPTY;
            } else if (batch.nextOffset() == groupEnd) {
                retention = BatchRetention.RETAIN_EMPTY;
            } else {
                retention = BatchRetention.DELETE_EMPTY;
            }
            return new BatchRetentionResult(retention, false);
        }

        @Override
        protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
            if (batch.isControlBatch() || record.offset() > map.latestOffset()) {
                return true;
            }
            if (!record.hasKey()) {
                stats.invalidMessages++;
                return false;
            }
            if (record.offset() < map.get(record.key())) {
                return false;
            }
            if (record.hasValue()) {
                return true;
            }
            // A tombstone: kept until the delete horizon its batch got from the first clean that kept it.
            return batch.deleteHorizonMs().isEmpty() || currentTime < batch.deleteHorizonMs().getAsLong();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Segment selection helpers (Kafka's logSegments(from, to) and groupSegmentsBySize)

    /** The segments holding offsets in [from, to): base below {@code to}, and not ending at or before from. */
    static List<CleanableSegment> overlapping(List<CleanableSegment> segments, long activeBase, long from, long to) {
        final List<CleanableSegment> out = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            final CleanableSegment s = segments.get(i);
            final long nextBase = i + 1 < segments.size() ? segments.get(i + 1).baseOffset() : activeBase;
            if (s.baseOffset() < to && nextBase > from) {
                out.add(s);
            }
        }
        return out;
    }

    /** The inactive segments whose base offset lies below {@code end}. */
    static List<CleanableSegment> segmentsBelow(List<CleanableSegment> segments, long end) {
        final List<CleanableSegment> out = new ArrayList<>();
        for (CleanableSegment s : segments) {
            if (s.baseOffset() < end) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Kafka's {@code groupSegmentsBySize}: consecutive segments whose total log bytes fit {@code maxSize}, whose
     * index entries fit {@code maxIndexSize}, and whose offsets stay within 2^31 of the group's base.
     */
    static List<List<CleanableSegment>> groupBySize(List<CleanableSegment> segments, int maxSize, int maxIndexSize)
            throws IOException {
        final List<List<CleanableSegment>> groups = new ArrayList<>();
        int i = 0;
        while (i < segments.size()) {
            final List<CleanableSegment> group = new ArrayList<>();
            final CleanableSegment first = segments.get(i);
            group.add(first);
            long logSize = first.sizeInBytes();
            long indexSize = first.offsetIndexBytes();
            long timeIndexSize = first.timeIndexBytes();
            i++;
            while (i < segments.size()) {
                final CleanableSegment s = segments.get(i);
                // Kafka estimates the candidate's last offset from the next base; ours knows it exactly.
                final long lastOffset = s.nextOffset() - 1;
                if (logSize + s.sizeInBytes() > maxSize || indexSize + s.offsetIndexBytes() > maxIndexSize
                        || timeIndexSize + s.timeIndexBytes() > maxIndexSize
                        || (s.sizeInBytes() > 0 && lastOffset - first.baseOffset() > Integer.MAX_VALUE)) {
                    break;
                }
                group.add(s);
                logSize += s.sizeInBytes();
                indexSize += s.offsetIndexBytes();
                timeIndexSize += s.timeIndexBytes();
                i++;
            }
            groups.add(group);
        }
        return groups;
    }
}
