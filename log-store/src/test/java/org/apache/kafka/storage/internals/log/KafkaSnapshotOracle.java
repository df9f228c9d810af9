package org.apache.kafka.storage.internals.log;

import java.io.File;
import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Test-only bridge into kafka-storage's package: builds {@link ProducerStateEntry}s with a batch
 * (its {@code addBatch} is package-private) so Kafka's own {@code writeSnapshot} can serve as the
 * reference writer for our snapshot reader.
 */
public final class KafkaSnapshotOracle {
    private KafkaSnapshotOracle() {
    }

    /** Rows of {producerId, epoch, lastSequence, lastOffset, offsetDelta, timestamp}; lastOffset -1 = no batch. */
    public static void write(File file, long[][] rows) throws IOException {
        final Map<Long, ProducerStateEntry> entries = new TreeMap<>();
        for (long[] r : rows) {
            final ProducerStateEntry e = new ProducerStateEntry(r[0], (short) r[1], -1, r[5], OptionalLong.empty());
            if (r[3] >= 0) {
                e.addBatch((short) r[1], (int) r[2], r[3], (int) r[4], r[5]);
            }
            entries.put(r[0], e);
        }
        ProducerStateManager.writeSnapshot(file, entries, true);
    }
}
