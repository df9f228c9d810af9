package io.zcrx.ingest.log.epoch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.server.util.KafkaScheduler;
import org.apache.kafka.storage.internals.checkpoint.LeaderEpochCheckpointFile;
import org.apache.kafka.storage.internals.epoch.LeaderEpochFileCache;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Our {@link LeaderEpochCache} against Kafka's own {@code LeaderEpochFileCache} (kafka-storage, the oracle): random
 * sequences of assign, truncateFromEnd and truncateFromStart must leave the same entries after every step, and every
 * endOffsetFor/epochForOffset/previousEpoch question must get the same answer. Small epochs and offsets, so that
 * conflicts (equal epochs, equal offsets, lower epochs) are frequent. Kafka's cache fsyncs its file on every assign,
 * so that file lives on tmpfs where there is one (the property costs seconds on a disk).
 */
class LeaderEpochCacheOracleTest {
    private static final TopicPartition TP = new TopicPartition("oracle", 0);
    private static final Path SHM = Path.of("/dev/shm");
    private static final String[] NOISY = {LeaderEpochFileCache.class.getName(), LeaderEpochCache.class.getName()};
    private static KafkaScheduler scheduler;

    /** One step: kind 0 assign(a, b), 1 truncateFromEnd(b), 2 truncateFromStart(b). */
    record Op(int kind, int a, long b) {
    }

    @BeforeContainer
    static void startScheduler() {
        // Kafka's cache flushes truncations to its file on this scheduler.
        scheduler = new KafkaScheduler(1);
        scheduler.startup();
        // Both caches warn at every conflicting assign, which is most of what this property does.
        for (String logger : NOISY) {
            Configurator.setLevel(logger, Level.ERROR);
        }
    }

    @AfterContainer
    static void stopScheduler() throws InterruptedException {
        scheduler.shutdown();
        for (String logger : NOISY) {
            Configurator.setLevel(logger, (Level) null);
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        final Arbitrary<Op> op = Combinators.combine(
            Arbitraries.integers().between(0, 9).map(k -> k < 6 ? 0 : k < 8 ? 1 : 2),
            Arbitraries.integers().between(0, 8),
            Arbitraries.longs().between(-1, 40)).as((kind, a, b) -> new Op(kind, a, kind == 0 ? Math.max(0, b) : b));
        return op.list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 300)
    void sameEntriesAndAnswersAsKafka(@ForAll("ops") List<Op> ops) throws IOException {
        final File file = (Files.isDirectory(SHM) && Files.isWritable(SHM)
            ? Files.createTempFile(SHM, "leader-epoch-oracle", ".checkpoint")
            : Files.createTempFile("leader-epoch-oracle", ".checkpoint")).toFile();
        try {
            final LeaderEpochFileCache kafka = new LeaderEpochFileCache(TP,
                new LeaderEpochCheckpointFile(file, new LogDirFailureChannel(1)), scheduler);
            final LeaderEpochCache ours = new LeaderEpochCache(TP);
            for (Op op : ops) {
                final List<EpochEntry> before = ours.entries();
                final boolean changed;
                switch (op.kind()) {
                    case 0 -> {
                        kafka.assign(op.a(), op.b());
                        changed = ours.assign(op.a(), op.b());
                    }
                    case 1 -> {
                        kafka.truncateFromEndAsyncFlush(op.b());
                        changed = ours.truncateFromEnd(op.b());
                    }
                    default -> {
                        kafka.truncateFromStartAsyncFlush(op.b());
                        changed = ours.truncateFromStart(op.b());
                    }
                }
                final List<EpochEntry> expected = kafka.epochEntries().stream()
                    .map(k -> new EpochEntry(k.epoch(), k.startOffset())).toList();
                assertEquals(expected, ours.entries(), () -> "after " + op + " on " + before + " (ops " + ops + ")");
                assertEquals(!before.equals(expected), changed, () -> "change reported for " + op + " on " + before);
                final long logEnd = 41;
                for (int epoch = -1; epoch <= 9; epoch++) {
                    final Map.Entry<Integer, Long> k = kafka.endOffsetFor(epoch, logEnd);
                    assertEquals(new EpochEndOffset(k.getKey(), k.getValue()), ours.endOffsetFor(epoch, logEnd),
                        "endOffsetFor " + epoch + " on " + expected);
                    assertEquals(kafka.previousEpoch(epoch).orElse(-1), ours.previousEpoch(epoch));
                }
                assertEquals(kafka.previousEpoch().orElse(-1), ours.previousEpoch());
                assertEquals(kafka.latestEpoch().orElse(-1), ours.latestEpoch());
                for (long offset = 0; offset <= logEnd; offset += 3) {
                    assertEquals(kafka.epochForOffset(offset).orElse(-1), ours.epochForOffset(offset),
                        "epochForOffset " + offset + " on " + expected);
                }
            }
        } finally {
            Files.deleteIfExists(file.toPath());
        }
    }
}
