package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.metadata.properties.MetaProperties;
import org.apache.kafka.metadata.properties.MetaPropertiesVersion;
import org.apache.kafka.storage.internals.checkpoint.CleanShutdownFileHandler;
import org.apache.kafka.storage.internals.checkpoint.LeaderEpochCheckpointFile;
import org.apache.kafka.storage.internals.checkpoint.OffsetCheckpointFile;
import org.apache.kafka.storage.internals.checkpoint.PartitionMetadataFile;
import org.apache.kafka.storage.internals.log.EpochEntry;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {
    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();
    private final LogConfig config = LogConfig.builder().build();

    private LogManager open(Path... dirs) throws IOException {
        return LogManager.open(List.of(dirs), 1, config, DAY_MS, clock::now);
    }

    private void appendSome(PartitionLog log, int batches) {
        final TestBatches tb = new TestBatches(1 << 16, batches);
        final AppendResult result = new AppendResult();
        for (int i = 0; i < batches; i++) {
            log.append(tb.load(new AppendBatch(),
                TestBatches.plain(Compression.NONE, tb.records(2, 50, clock.now()))), clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
        }
    }

    @Test
    void formatsMetaPropertiesAsKafkaDoesAndChecksTheNodeOnReopen() throws Exception {
        // Goal: a new directory gets a KRaft meta.properties (version 1, new random cluster id,
        // node.id, directory.id) that Kafka's own MetaProperties parser accepts; reopening keeps the
        // ids; another node id is refused with a message naming the directory; every directory of a
        // broker shares the cluster id and has its own directory id.
        // Method: open two dirs, parse the files with kafka-metadata, reopen with node 1 and node 2.
        final Path a = tmp.resolve("a");
        final Path b = tmp.resolve("b");
        final String clusterId;
        try (LogManager manager = open(a, b)) {
            clusterId = manager.clusterId();
            assertEquals(22, clusterId.length(), "base64url of 16 bytes");
            assertNotEquals(manager.directoryId(a), manager.directoryId(b));
        }
        final Properties props = new Properties();
        try (InputStream in = Files.newInputStream(a.resolve("meta.properties"))) {
            props.load(in);
        }
        final MetaProperties kafka = new MetaProperties.Builder(props).build();
        assertEquals(MetaPropertiesVersion.V1, kafka.version());
        assertEquals(clusterId, kafka.clusterId().get());
        assertEquals(1, kafka.nodeId().getAsInt());
        assertTrue(kafka.directoryId().isPresent());
        assertTrue(Files.readString(a.resolve("meta.properties")).startsWith("#\n#"),
            "Properties.store header as Kafka writes it");
        try (LogManager manager = open(a, b)) {
            assertEquals(clusterId, manager.clusterId());
            assertEquals(kafka.directoryId().get(), manager.directoryId(a));
        }
        final IOException e = assertThrows(IOException.class,
            () -> LogManager.open(List.of(a), 2, config, DAY_MS, clock::now));
        assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains("node.id"), e.getMessage());
        final Path c = tmp.resolve("c");
        try (LogManager manager = open(c)) {
            assertNotEquals(clusterId, manager.clusterId());
        }
        final IOException mixed = assertThrows(IOException.class, () -> open(a, c));
        assertTrue(mixed.getMessage().contains("different clusters"), mixed.getMessage());
        try (LogManager manager = open(a)) {
            assertEquals(clusterId, manager.clusterId(), "a failed open released the locks it took");
        }
    }

    @Test
    void aSecondBrokerOnTheSameDirectoryIsRefused() throws Exception {
        // Goal: the .lock keeps a second broker off a directory, another process or this one, with an
        // IOException naming the directory; the directory opens again once the holder is gone.
        // Method: a child JVM (test class path) holds the directory; open here; then in-process twice.
        final Path dir = tmp.resolve("locked");
        final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
            LockHolderMain.class.getName(), dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
            // The child's log lines share its stdout; wait for the one that says it holds the lock.
            String line = out.readLine();
            while (line != null && !line.startsWith("LOCKED")) {
                line = out.readLine();
            }
            assertTrue(line != null, "the child exited without taking the lock");
            final IOException e = assertThrows(IOException.class, () -> open(dir));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        } finally {
            child.getOutputStream().close();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not exit");
        }
        try (LogManager first = open(dir)) {
            final IOException e = assertThrows(IOException.class, () -> open(dir));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(first.partitions().isEmpty());
        }
    }

    @Test
    void unusableDirectoriesAreNamedInTheError() throws Exception {
        // Goal: a log dir that cannot be created or is not a directory fails open with an
        // IOException naming it.
        // Method: a regular file where the directory should be, and a directory under that file.
        final Path file = tmp.resolve("not-a-dir");
        Files.writeString(file, "x");
        IOException e = assertThrows(IOException.class, () -> open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        final Path under = file.resolve("sub");
        e = assertThrows(IOException.class, () -> open(under));
        assertTrue(e.getMessage().contains(under.toString()), e.getMessage());
    }

    @Test
    void directoryFilesAreKafkasAndTheCleanShutdownMarkerIsWrittenLastAndDeletedOnStart() throws Exception {
        // Goal: partition.metadata, leader-epoch-checkpoint, recovery-point-offset-checkpoint,
        // log-start-offset-checkpoint and .kafka_cleanshutdown have Kafka's content (read back with
        // kafka-storage's own readers), the marker exists only between a clean close and the next
        // open, and no .tmp files are left behind.
        // Method: create partitions, append, close, read every file; reopen and look for the marker.
        final Uuid topicId = Uuid.randomUuid();
        try (LogManager manager = open(tmp)) {
            final PartitionLog p0 = manager.createPartition("files", 0, topicId, config);
            final PartitionLog p1 = manager.createPartition("files", 1, topicId, config);
            assertEquals("0\n0\n", Files.readString(p0.dir().resolve("leader-epoch-checkpoint")), "no data yet");
            assertEquals("version: 0\ntopic_id: " + topicId, Files.readString(p0.dir().resolve("partition.metadata")));
            appendSome(p0, 3);
            appendSome(p1, 1);
            assertFalse(Files.exists(tmp.resolve(".kafka_cleanshutdown")));
        }
        final LogDirFailureChannel failures = new LogDirFailureChannel(1);
        assertEquals("{\"version\":0,\"brokerEpoch\":-1}", Files.readString(tmp.resolve(".kafka_cleanshutdown")));
        assertTrue(new CleanShutdownFileHandler(tmp.toString()).read().isPresent());
        final Map<TopicPartition, Long> recovery =
            new OffsetCheckpointFile(tmp.resolve("recovery-point-offset-checkpoint").toFile(), failures).read();
        assertEquals(Map.of(new TopicPartition("files", 0), 6L, new TopicPartition("files", 1), 2L), recovery);
        assertEquals("0\n2\nfiles 0 6\nfiles 1 2\n", Files.readString(tmp.resolve("recovery-point-offset-checkpoint")));
        assertTrue(new OffsetCheckpointFile(tmp.resolve("log-start-offset-checkpoint").toFile(),
            failures).read().isEmpty());
        final Path p0 = tmp.resolve("files-0");
        assertEquals(topicId,
            new PartitionMetadataFile(p0.resolve("partition.metadata").toFile(), failures).read().topicId());
        assertEquals(List.of(new EpochEntry(0, 0)),
            new LeaderEpochCheckpointFile(p0.resolve("leader-epoch-checkpoint").toFile(), failures).read());
        assertEquals("0\n1\n0 0\n", Files.readString(p0.resolve("leader-epoch-checkpoint")));
        assertTrue(LogTestSupport.files(tmp, ".tmp").isEmpty());
        assertTrue(LogTestSupport.files(p0, ".tmp").isEmpty());
        try (LogManager manager = open(tmp)) {
            assertFalse(Files.exists(tmp.resolve(".kafka_cleanshutdown")), "deleted on start");
            assertEquals(6, manager.partition("files", 0).logEndOffset());
            assertEquals(6, manager.partition("files", 0).recoveryPoint(), "clean shutdown: recovery point = log end");
        }
    }

    @Test
    void aCheckpointAfterCloseLeavesTheFinalCheckpointsAlone() throws Exception {
        // Goal: a checkpoint asked for after close (a DeleteRecords answer still on its thread at shutdown) must
        // not overwrite close's final checkpoints with empty ones after the clean-shutdown marker (review H1: the
        // next start would forget every recovery point and log start). Method: append, close, checkpoint(),
        // compare the files byte for byte.
        final LogManager manager = open(tmp);
        appendSome(manager.createPartition("late", 0, Uuid.randomUuid(), config), 3);
        manager.close();
        final String recovery = Files.readString(tmp.resolve("recovery-point-offset-checkpoint"));
        final String logStart = Files.readString(tmp.resolve("log-start-offset-checkpoint"));
        assertTrue(recovery.contains("late 0 6"), recovery);
        manager.checkpoint();
        assertEquals(recovery, Files.readString(tmp.resolve("recovery-point-offset-checkpoint")));
        assertEquals(logStart, Files.readString(tmp.resolve("log-start-offset-checkpoint")));
    }

    @Test
    void createPartitionSpreadsOverDirectoriesAndChecksTopicIds() throws Exception {
        // Goal: new partitions go to the directory with the fewest; creating an existing partition
        // with its topic id returns it, with another id fails (INCONSISTENT_TOPIC_ID), with an illegal
        // name fails (InvalidTopicException); a directory without partition.metadata loads with an
        // unknown id that the next create records.
        // Method: two dirs, four partitions; then remove a partition.metadata and reopen.
        final Path a = tmp.resolve("a");
        final Path b = tmp.resolve("b");
        final Uuid id = Uuid.randomUuid();
        try (LogManager manager = open(a, b)) {
            final PartitionLog p0 = manager.createPartition("spread", 0, id, config);
            final PartitionLog p1 = manager.createPartition("spread", 1, id, config);
            manager.createPartition("spread", 2, id, config);
            manager.createPartition("spread", 3, id, config);
            assertNotEquals(p0.dir().getParent(), p1.dir().getParent());
            assertEquals(2, LogTestSupport.files(a, "").stream().filter(Files::isDirectory).count());
            assertEquals(2, LogTestSupport.files(b, "").stream().filter(Files::isDirectory).count());
            assertSame(p0, manager.createPartition("spread", 0, id, config));
            final InconsistentTopicIdException e = assertThrows(InconsistentTopicIdException.class,
                () -> manager.createPartition("spread", 0, Uuid.randomUuid(), config));
            assertTrue(e.getMessage().contains(id.toString()), e.getMessage());
            assertThrows(InvalidTopicException.class, () -> manager.createPartition("../escape", 0, id, config));
            assertThrows(InvalidTopicException.class, () -> manager.createPartition("bad topic", 0, id, config));
            assertEquals(4, manager.partitions().size());
            assert manager.checkInvariants();
        }
        final Path p0dir = LogTestSupport.files(a,
            "").stream().filter(p -> p.getFileName().toString().equals("spread-0"))
            .findFirst().orElse(b.resolve("spread-0"));
        Files.delete(p0dir.resolve("partition.metadata"));
        try (LogManager manager = open(a, b)) {
            assertEquals(Uuid.ZERO_UUID, manager.partition("spread", 0).topicId());
            final PartitionLog p0 = manager.createPartition("spread", 0, id, config);
            assertEquals(id, p0.topicId());
            assertEquals("version: 0\ntopic_id: " + id, Files.readString(p0dir.resolve("partition.metadata")));
        }
    }

    @Test
    void deletePartitionRemovesItsDirectoryAndLeftoversAreFinishedOnStart() throws Exception {
        // Goal: deleting a partition removes its directory and checkpoint entries, appends racing the
        // deletion get NOT_LEADER_OR_FOLLOWER, and a "-delete" directory left by a crash is removed
        // at the next start.
        // Method: create, append, delete, append through the stale reference; plant a -delete dir.
        final PartitionLog stale;
        try (LogManager manager = open(tmp)) {
            final PartitionLog log = manager.createPartition("gone", 0, Uuid.randomUuid(), config);
            manager.createPartition("kept", 0, Uuid.randomUuid(), config);
            appendSome(log, 2);
            assertTrue(manager.deletePartition("gone", 0));
            assertFalse(manager.deletePartition("gone", 0));
            assertFalse(Files.exists(tmp.resolve("gone-0")));
            assertNull(manager.partition("gone", 0));
            assertFalse(Files.readString(tmp.resolve("recovery-point-offset-checkpoint")).contains("gone"));
            final AppendResult result = new AppendResult();
            final TestBatches tb = new TestBatches(1 << 16, 1);
            log.append(tb.load(new AppendBatch(),
                TestBatches.plain(Compression.NONE, tb.records(1, 10, clock.now()))), clock.now(), result);
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), result.errorCode);
            final FetchRegion region = new FetchRegion();
            log.read(0, 100, true, region);
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), region.errorCode);
            stale = log;
        }
        assertFalse(stale.isOnline());
        final Path leftover = tmp.resolve("old-0.0123456789abcdef0123456789abcdef-delete");
        Files.createDirectories(leftover);
        Files.writeString(leftover.resolve("00000000000000000000.log"), "junk");
        try (LogManager manager = open(tmp)) {
            assertFalse(Files.exists(leftover));
            assertEquals(1, manager.partitions().size());
        }
    }

    @Test
    void aDeletedPartitionIsRenamedAtOnceAndItsFilesGoAfterTheDelay() throws Exception {
        // Goal: Kafka's asyncDelete: the directory is renamed <tp>.<uuid>-delete at once, its files
        // stay file.delete.delay.ms (a Fetch answered just before may still send from them), then the
        // maintenance task removes them; one not yet removed is removed at the next start.
        // Method: two partitions with different delays; a fake clock steps over each.
        final LogConfig slow = LogConfig.builder().fileDeleteDelayMs(60_000).build();
        final LogConfig fast = LogConfig.builder().fileDeleteDelayMs(1_000).build();
        try (LogManager manager = open(tmp)) {
            appendSome(manager.createPartition("slow", 0, Uuid.randomUuid(), slow), 2);
            manager.createPartition("fast", 0, Uuid.randomUuid(), fast);
            assertTrue(manager.deletePartition("slow", 0));
            assertTrue(manager.deletePartition("fast", 0));
            assertFalse(Files.exists(tmp.resolve("slow-0")));
            assertEquals(2, deleteDirs().size(), deleteDirs().toString());
            assertTrue(deleteDirs().get(1).matches("slow-0\\.[0-9a-f]{32}-delete"), deleteDirs().toString());
            assertEquals(0, manager.deleteDelayedPartitions(clock.now() + 999));
            assertEquals(1, manager.deleteDelayedPartitions(clock.now() + 1_000), "the shorter delay first");
            assertEquals(List.of("slow-0"), deleteDirs().stream().map(n -> n.substring(0, n.indexOf('.'))).toList());
        }
        try (LogManager manager = open(tmp)) {
            assertEquals(List.of(), deleteDirs(), "the next start finishes the deletion");
            assertEquals(0, manager.partitions().size());
        }
    }

    private List<String> deleteDirs() throws IOException {
        try (var entries = Files.list(tmp)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("-delete")).sorted().toList();
        }
    }

    @Test
    void flushPolicyAndRecoveryPointCheckpoints() throws Exception {
        // Goal: flush.messages, flush.ms and segment rolls decide when flushDue fsyncs a partition; a
        // flush advances the recovery point to the log end it saw; checkpoint writes them down.
        // Method: three partitions with different policies, appends, clock moves, flushDue calls.
        final LogConfig byCount = LogConfig.builder().flushMessages(10).build();
        final LogConfig byTime = LogConfig.builder().flushMs(5_000).build();
        try (LogManager manager = open(tmp)) {
            final PartitionLog counted = manager.createPartition("count", 0, Uuid.randomUuid(), byCount);
            final PartitionLog timed = manager.createPartition("time", 0, Uuid.randomUuid(), byTime);
            appendSome(counted, 4);
            appendSome(timed, 1);
            assertEquals(8, counted.unflushedMessages());
            assertEquals(0, manager.flushDue(clock.now()));
            appendSome(counted, 1);
            assertTrue(counted.flushDue(clock.now()));
            assertEquals(1, manager.flushDue(clock.now()), "10 unflushed messages reach flush.messages");
            assertEquals(10, counted.recoveryPoint());
            assertEquals(0, counted.unflushedMessages());
            clock.advance(4_999);
            assertEquals(0, manager.flushDue(clock.now()));
            clock.advance(1);
            assertEquals(1, manager.flushDue(clock.now()), "unflushed data 5 s old reaches flush.ms");
            assertEquals(2, timed.recoveryPoint());
            assertEquals(0, manager.flushDue(clock.now() + 100_000), "nothing left to flush");
            final LogConfig rolling = LogConfig.builder().segmentBytes(1024).build();
            final PartitionLog rolled = manager.createPartition("roll", 0, Uuid.randomUuid(), rolling);
            appendSome(rolled, 3);
            assertEquals(1, rolled.segmentCount());
            assertEquals(0, manager.flushDue(clock.now()), "default policy: never by count or time");
            appendSome(rolled, 6);
            assertTrue(rolled.segmentCount() > 1);
            assertEquals(1, manager.flushDue(clock.now()), "a roll makes a flush due, as in Kafka");
            assertEquals(rolled.logEndOffset(), rolled.recoveryPoint());
            manager.checkpoint();
            assertEquals("0\n3\ncount 0 10\nroll 0 " + rolled.logEndOffset() + "\ntime 0 2\n",
                Files.readString(tmp.resolve("recovery-point-offset-checkpoint")));
            assert manager.checkInvariants();
        }
    }
}
