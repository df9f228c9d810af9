package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zcrx.ingest.log.epoch.LeaderEpochCache;
import io.zcrx.ingest.log.index.IndexFile;
import io.zcrx.ingest.log.producer.ProducerStateTable;
import io.zcrx.ingest.nativeio.Fallocate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class IndexFootprintTest {
    private static final Logger LOG = LoggerFactory.getLogger(IndexFootprintTest.class);
    private static final int PARTITIONS = 2000;

    @TempDir
    Path tmp;

    @Test
    void twoThousandPartitionsWithOneBatchEachHoldLittleRealIndexSpace() throws Exception {
        // Goal: an active segment's indexes keep their apparent size (segment.index.bytes, sparse, as
        // in Kafka) but hold real blocks only for a reservation ahead of the entries written, not the
        // whole 10 MiB each: 2000 partitions with one batch each stay below 1 MiB of index blocks per
        // partition (they held 20 MiB each when the whole files were fallocated).
        // Method: 2000 partition logs with the default config, built directly (LogManager's
        // createPartition fsyncs half a dozen files per partition, which would take a minute here),
        // one batch appended to each through PartitionLog.append; real blocks of every .index and
        // .timeindex summed from stat(1) (st_blocks * block size), apparent sizes from the file length.
        assumeTrue(Fallocate.isAvailable(), "no posix_fallocate: index files stay sparse, nothing to measure");
        final LogTestSupport.Clock clock = new LogTestSupport.Clock();
        final LogConfig config = LogConfig.builder().build();
        final TestBatches tb = new TestBatches(1 << 16, 7);
        final OpenSegmentCache cache = new OpenSegmentCache(LogManager.DEFAULT_OPEN_SEGMENTS_MAX);
        final Uuid topicId = Uuid.randomUuid();
        final AppendBatch batch = new AppendBatch();
        final AppendResult result = new AppendResult();
        final List<PartitionLog> logs = new ArrayList<>();
        final List<Path> indexes = new ArrayList<>();
        try {
            for (int p = 0; p < PARTITIONS; p++) {
                final Path dir = Files.createDirectory(tmp.resolve(LogFiles.partitionDirName("footprint", p)));
                final PartitionLog log = new PartitionLog(dir, "footprint", p, topicId, config, DAY_MS, cache,
                    new Segment[] {Segment.create(dir, 0L, config, clock.now(), cache)}, 0L, 0L,
                    new ProducerStateTable(), new TreeSet<>(),
                    new LeaderEpochCache(new TopicPartition("footprint", p)));
                logs.add(log);
                log.append(tb.load(batch, TestBatches.plain(Compression.NONE, tb.records(2, 100, clock.now()))),
                    clock.now(), result);
                assertEquals(0, result.errorCode, () -> result.errorMessage);
                indexes.add(LogFiles.indexFile(dir, 0));
                indexes.add(LogFiles.timeIndexFile(dir, 0));
            }
            final long allocated = DiskUsage.allocatedBytes(indexes);
            assumeTrue(allocated >= 0, "stat(1) unavailable");
            long apparent = 0;
            for (Path p : indexes) {
                apparent += Files.size(p);
            }
            final long perPartition = allocated / PARTITIONS;
            LOG.info("{} partitions, one batch each: index files apparent {} bytes, real {} bytes ({} per partition)",
                PARTITIONS, apparent, allocated, perPartition);
            assertEquals((long) PARTITIONS * (config.segmentIndexBytes + config.segmentIndexBytes / 12 * 12), apparent,
                "indexes keep their preallocated (sparse) length");
            assertTrue(perPartition < 1 << 20, "real index bytes per partition: " + perPartition);
            assertTrue(perPartition >= 2 * IndexFile.RESERVE_AHEAD_BYTES,
                "the reservation ahead of the entries is real: " + perPartition);
        } finally {
            for (PartitionLog log : logs) {
                log.abandon();
            }
        }
    }
}
