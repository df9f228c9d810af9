package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zcrx.ingest.log.index.IndexFile;
import io.zcrx.ingest.log.index.OffsetIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class StorageFaultTest {
    private static final Logger LOG = LoggerFactory.getLogger(StorageFaultTest.class);

    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();

    @Test
    void aWriteRejectedByTheKernelIsAStorageErrorAndTheLogRecovers() throws Exception {
        // Goal: a write the kernel refuses answers KAFKA_STORAGE_ERROR (56) with a message naming the
        // file, position and errno; the log end does not move, nothing is left in the file; the next
        // append after the cause is gone succeeds at the same offset.
        // Method: swap the active segment's append descriptor for one opened O_RDONLY on the same
        // file (pwritev then fails with EBADF for real), append, swap back, append.
        final LogConfig config = LogConfig.builder().build();
        final TestBatches tb = new TestBatches(1 << 18, 3);
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.createPartition("fault", 0, Uuid.randomUuid(), config);
            final AppendBatch batch = new AppendBatch();
            final AppendResult result = new AppendResult();
            for (int i = 0; i < 3; i++) {
                log.append(tb.load(batch, TestBatches.plain(Compression.NONE, tb.records(3, 100, clock.now()))),
                    clock.now(), result);
                assertEquals(0, result.errorCode);
            }
            final long size = Files.size(LogFiles.logFile(log.dir(), 0));
            log.reopenActiveWriteFdForTest(true);
            log.append(tb.load(batch,
                TestBatches.idempotent(Compression.NONE, 8, (short) 0, 0, tb.records(4, 100, clock.now()))),
                clock.now(), result);
            assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), result.errorCode);
            assertEquals(-1L, result.baseOffset);
            assertTrue(result.errorMessage.contains(LogFiles.logFile(log.dir(), 0).toString()), result.errorMessage);
            assertTrue(result.errorMessage.contains("position=" + size), result.errorMessage);
            assertTrue(result.errorMessage.contains("errno=9 (EBADF)"), result.errorMessage);
            assertEquals(9, log.logEndOffset());
            assertEquals(size, Files.size(LogFiles.logFile(log.dir(), 0)));
            assert log.checkInvariants();

            log.reopenActiveWriteFdForTest(false);
            log.append(batch, clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            assertEquals(9, result.baseOffset, "the failed batch's offset is reused");
            assertTrue(!result.duplicate, "the failed batch left no producer state behind");
            assertEquals(13, log.logEndOffset());
            assertEquals(4, LogTestSupport.readBatches(log.dir()).size());
        }
    }

    @Test
    void aFullFileSystemCutsThePartialBatchAndAppendsResumeWhenSpaceIsFreed() throws Exception {
        // Goal: on a real ENOSPC (the kernel takes part of the batch, then refuses the rest) the
        // partial batch is cut off, KAFKA_STORAGE_ERROR names ENOSPC, and after space is freed the
        // next append succeeds; the files stay readable by kafka-clients throughout.
        // Method: a 1 MiB tmpfs (needs root and mount; otherwise skipped with the reason), a filler
        // file leaving ~40 KiB, appends of ~12 KiB batches until one fails, check, delete the filler.
        final Path mnt = tmp.resolve("tmpfs");
        Files.createDirectories(mnt);
        final String why = mount(mnt, "1m");
        assumeTrue(why == null, () -> "tmpfs test skipped: " + why);
        LOG.info("tmpfs mounted at {}", mnt);
        try {
            final LogConfig config = LogConfig.builder().segmentIndexBytes(4096).build();
            final TestBatches tb = new TestBatches(1 << 18, 4);
            try (LogManager manager = LogManager.open(List.of(mnt), 1, config, DAY_MS, clock::now)) {
                final PartitionLog log = manager.createPartition("full", 0, Uuid.randomUuid(), config);
                final Path filler = mnt.resolve("filler");
                final long free = Files.getFileStore(mnt).getUsableSpace();
                Files.write(filler, new byte[(int) (free - 40 * 1024)]);
                final AppendBatch batch = new AppendBatch();
                final AppendResult result = new AppendResult();
                int ok = 0;
                long logSize = 0;
                while (true) {
                    log.append(tb.load(batch,
                        TestBatches.plain(Compression.NONE, tb.records(1, 12_000, clock.now()))), clock.now(), result);
                    if (result.errorCode != 0) {
                        break;
                    }
                    ok++;
                    logSize = Files.size(LogFiles.logFile(log.dir(), 0));
                    assertTrue(ok < 100, "the file system never filled up");
                }
                assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), result.errorCode);
                assertTrue(result.errorMessage.contains("ENOSPC"), result.errorMessage);
                assertEquals(ok, log.logEndOffset());
                assertEquals(logSize, Files.size(LogFiles.logFile(log.dir(), 0)), "no partial batch left behind");
                assertEquals(ok, LogTestSupport.readBatches(log.dir()).size());
                LOG.info("ENOSPC after {} appends: {}", ok, result.errorMessage);

                Files.delete(filler);
                log.append(batch, clock.now(), result);
                assertEquals(0, result.errorCode, () -> result.errorMessage);
                assertEquals(ok, result.baseOffset);
                assertEquals(ok + 1, LogTestSupport.readBatches(log.dir()).size());
                assert manager.checkInvariants();
            }
        } finally {
            final Process p = new ProcessBuilder("umount", mnt.toString()).redirectErrorStream(true).start();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullFileSystemAtAnIndexReservationIsAStorageErrorAndAppendsResume() throws Exception {
        // Goal: index blocks are reserved in steps ahead of the entries; when the disk is full at
        // such a step, the append is refused with KAFKA_STORAGE_ERROR naming ENOSPC and the index
        // file, before any byte is written (the log end, the .log and the index stay as they were),
        // and the JVM never sees SIGBUS; after space is freed the same batch appends at the same
        // offset and the next reservation covers the following entries.
        // Method: a 4 MiB tmpfs (needs root and mount; otherwise skipped with the reason), an index
        // entry for every batch (index.interval.bytes 0), small batches with one timestamp (only the
        // offset index grows); append until the offset index is 200 entries short of its first
        // reservation, fill the disk but for 32 KiB (enough for the data of the next batches, not
        // for the next 64 KiB of index), append until one fails; check; free the space; append.
        final Path mnt = tmp.resolve("tmpfs");
        Files.createDirectories(mnt);
        final String why = mount(mnt, "4m");
        assumeTrue(why == null, () -> "tmpfs test skipped: " + why);
        try {
            final LogConfig config = LogConfig.builder().indexIntervalBytes(0).build();
            final TestBatches tb = new TestBatches(1 << 16, 5);
            try (LogManager manager = LogManager.open(List.of(mnt), 1, config, DAY_MS, clock::now)) {
                final PartitionLog log = manager.createPartition("idxfull", 0, Uuid.randomUuid(), config);
                final AppendBatch batch = new AppendBatch();
                final AppendResult result = new AppendResult();
                final long ts = clock.now();
                final int entriesPerStep = IndexFile.RESERVE_AHEAD_BYTES / OffsetIndex.ENTRY_LENGTH;
                final OffsetIndex index = log.segmentsForTest()[0].offsetIndex();
                while (index.entries() < entriesPerStep - 200) {
                    log.append(tb.load(batch, TestBatches.plain(Compression.NONE, tb.records(1, 8, ts))), ts, result);
                    assertEquals(0, result.errorCode, () -> result.errorMessage);
                }
                final Path filler = mnt.resolve("filler");
                Files.write(filler, new byte[(int) (Files.getFileStore(mnt).getUsableSpace() - 32 * 1024)]);
                final Path logFile = LogFiles.logFile(log.dir(), 0);
                long end;
                long logSize;
                int entries;
                while (true) {
                    end = log.logEndOffset();
                    logSize = Files.size(logFile);
                    entries = index.entries();
                    log.append(tb.load(batch, TestBatches.plain(Compression.NONE, tb.records(1, 8, ts))), ts, result);
                    if (result.errorCode != 0) {
                        break;
                    }
                    assertTrue(index.entries() <= entriesPerStep, "appended past the reservation: " + index.entries());
                }
                LOG.info("index reservation failed after {} entries: {}", entries, result.errorMessage);
                assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), result.errorCode);
                assertTrue(result.errorMessage.contains("index reservation failed"), result.errorMessage);
                assertTrue(result.errorMessage.contains("ENOSPC"), result.errorMessage);
                assertTrue(result.errorMessage.contains(LogFiles.indexFile(log.dir(), 0).toString()),
                    result.errorMessage);
                assertEquals(entriesPerStep, entries, "failed exactly at the next reservation step");
                assertEquals(end, log.logEndOffset());
                assertEquals(logSize, Files.size(logFile), "nothing written");
                assertEquals(entries, index.entries());
                assert log.checkInvariants();

                Files.delete(filler);
                log.append(batch, ts, result);
                assertEquals(0, result.errorCode, () -> result.errorMessage);
                assertEquals(end, result.baseOffset, "the refused batch's offset is used");
                assertEquals(entries + 1, index.entries());
                assertTrue(index.reservedBytes() >= (entries + 1) * OffsetIndex.ENTRY_LENGTH);
                assertEquals(LogTestSupport.readBatches(log.dir()).size(), log.logEndOffset());
                assert manager.checkInvariants();
            }
        } finally {
            final Process p = new ProcessBuilder("umount", mnt.toString()).redirectErrorStream(true).start();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Mounts a tmpfs of {@code size} (mount's syntax, e.g. 1m); returns null, or why it could not. */
    private static String mount(Path mnt, String size) throws IOException, InterruptedException {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
            return "not Linux";
        }
        final Process p;
        try {
            p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs",
                mnt.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return "mount not runnable: " + e.getMessage();
        }
        final String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "mount timed out";
        }
        return p.exitValue() == 0 ? null : "mount failed (exit " + p.exitValue() + "): " + out;
    }
}
