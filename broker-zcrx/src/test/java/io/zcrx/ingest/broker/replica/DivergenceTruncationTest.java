package io.zcrx.ingest.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zcrx.ingest.log.AppendResult;
import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's follower truncation rule for a DivergingEpoch answer
 * ({@code AbstractFetcherThread.getOffsetTruncationState}) on a real follower log holding epoch 1 at offsets 0-9
 * and epoch 3 at 10-19, and the truncation it leads to.
 */
class DivergenceTruncationTest {
    @TempDir
    Path tmp;

    private static MemoryRecords batch(long base, int epoch, int count) {
        final SimpleRecord[] r = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            r[i] = new SimpleRecord(System.currentTimeMillis(), null,
                ("v" + (base + i)).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(base, Compression.NONE, epoch, r);
    }

    @Test
    void truncatesWhereKafkasRulesSay() throws Exception {
        try (LogManager logs = LogManager.open(List.of(tmp), 1, LogConfig.builder().build(), 86_400_000L,
                System::currentTimeMillis)) {
            final PartitionLog log = logs.createPartition("d", 0, Uuid.randomUuid(), LogConfig.builder().build());
            final AppendResult result = new AppendResult();
            log.appendAsFollower(batch(0, 1, 10).buffer(), System.currentTimeMillis(), result);
            log.appendAsFollower(batch(10, 3, 10).buffer(), System.currentTimeMillis(), result);
            assertEquals(Errors.NONE.code(), result.errorCode, result.errorMessage);
            assertEquals(20L, log.logEndOffset());

            // The leader's epoch 3 ends at 15 (it lost 15-19): same epoch here, cut at the smaller end.
            assertEquals(15L, ReplicaFetcher.divergenceTruncationOffset(log, 3, 15L));
            // The leader's last epoch before ours is 2, ending at 12: we never had 2; our epoch 1 ends at 10.
            assertEquals(10L, ReplicaFetcher.divergenceTruncationOffset(log, 2, 12L));
            // The leader's epoch 0 is older than all of ours: our history says epoch 0 "ends" where our first epoch
            // starts (Kafka's endOffsetFor), so everything goes; the next fetch starts over at 0.
            assertEquals(0L, ReplicaFetcher.divergenceTruncationOffset(log, 0, 4L));
            // No epoch in the answer: the leader's end offset, never past ours.
            assertEquals(5L, ReplicaFetcher.divergenceTruncationOffset(log, -1, 5L));
            assertEquals(20L, ReplicaFetcher.divergenceTruncationOffset(log, -1, 50L));
            // No end offset: the follower high watermark.
            log.updateFollowerHighWatermark(7L);
            assertEquals(7L, ReplicaFetcher.divergenceTruncationOffset(log, 3, -1L));

            log.truncateTo(ReplicaFetcher.divergenceTruncationOffset(log, 2, 12L), System.currentTimeMillis());
            assertEquals(10L, log.logEndOffset());
            assertEquals(1, log.latestEpoch(), "the next fetch sends LastFetchedEpoch 1");
        }
    }
}
