package io.zcrx.ingest.log;

import io.zcrx.ingest.log.producer.ProducerStateTable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer-state {@code .snapshot} files of one partition (Kafka's
 * {@code ProducerStateManager} snapshot bookkeeping): which offsets have one, which were written
 * without an fsync (at a roll, on the reactor thread) and still need one from the flusher or from
 * close.
 *
 * <p>Guarded by the partition's append lock (the producer table it snapshots is too).
 */
final class ProducerSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerSnapshots.class);

    private final Path dir;
    private final TopicPartition topicPartition;
    private final ProducerStateTable producers;
    private final NavigableSet<Long> offsets;
    private final List<Path> unsynced = new ArrayList<>();

    ProducerSnapshots(Path dir, TopicPartition topicPartition, ProducerStateTable producers,
                      NavigableSet<Long> offsets) {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.producers = producers;
        this.offsets = offsets;
    }

    /** Writes a snapshot at {@code offset}; a failure is logged and only costs replay time. */
    void take(long offset, boolean sync) {
        final Path file = LogFiles.snapshotFile(dir, offset);
        try {
            producers.writeSnapshot(file, sync);
            offsets.add(offset);
            if (!sync) {
                unsynced.add(file);
            }
        } catch (IOException e) {
            LOG.warn("Writing producer snapshot failed: partition={}, file={}: {}", topicPartition, file, e.toString());
        }
    }

    /** Deletes the snapshot at {@code offset} if there is one (its segment went). */
    void delete(long offset) {
        if (offsets.remove(offset)) {
            final Path file = LogFiles.snapshotFile(dir, offset);
            unsynced.remove(file);
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("Deleting producer snapshot failed: file={}: {}", file, e.toString());
            }
        }
    }

    /** Deletes the snapshots above {@code offset} (the log was truncated there; they describe offsets now gone). */
    void deleteAbove(long offset) {
        for (Long above : new ArrayList<>(offsets.tailSet(offset, false))) {
            delete(above);
        }
    }

    /** Offset of the newest snapshot at or below {@code offset}, or -1 if there is none. */
    long floor(long offset) {
        final Long found = offsets.floor(offset);
        return found == null ? -1L : found;
    }

    /** Offset of the newest snapshot, or {@code none}. */
    long newest(long none) {
        return offsets.isEmpty() ? none : offsets.last();
    }

    /** The snapshots still to be fsynced, handed to the caller (the flusher syncs them). */
    Path[] takeUnsynced() {
        final Path[] files = unsynced.toArray(new Path[0]);
        unsynced.clear();
        return files;
    }

    /** fsyncs the snapshots written without one (clean close); false if one failed. */
    boolean syncUnsynced() {
        boolean ok = true;
        for (Path snapshot : unsynced) {
            try (FileChannel ch = FileChannel.open(snapshot, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException e) {
                ok = false;
                LOG.error("Syncing producer snapshot failed: file={}: {}", snapshot, e.toString());
            }
        }
        unsynced.clear();
        return ok;
    }

    /** Snapshot offsets, ascending (tests). */
    long[] offsets() {
        return offsets.stream().mapToLong(Long::longValue).toArray();
    }

    /** Invariant: no snapshot lies beyond the log end. */
    void checkNotBeyond(long end) {
        for (long snap : offsets) {
            if (snap > end) {
                throw new IllegalStateException("producer snapshot beyond the log end: partition=" + topicPartition
                    + ", snapshotOffset=" + snap + ", logEndOffset=" + end);
            }
        }
    }
}
