package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.log.PartitionLog;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeLogDirs, v1-v5 ({@code kafka-log-dirs --describe}, Admin {@code describeLogDirs}), as Kafka's
 * {@code ReplicaManager.describeLogDirs}: every configured log directory (absolute path) with the partitions it
 * holds, led or followed, that the request asks about (all when Topics is null): size in bytes, offset lag (Kafka's
 * {@code getLogEndOffsetLag}: max(high watermark - log end offset, 0), so 0 for every current replica; there are
 * no future replicas here, IsFutureKey is false) and, v4+, the directory's file store's total and usable bytes
 * (-1 when the file store cannot be read). A directory whose file store cannot be read answers KAFKA_STORAGE_ERROR.
 *
 * <p>Thread-safe (stateless).
 */
public final class DescribeLogDirsHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DescribeLogDirsHandler.class);

    private final BrokerContext ctx;

    public DescribeLogDirsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public DescribeLogDirsResponseData handle(DescribeLogDirsRequestData req, short version) {
        final Map<String, Set<Integer>> wanted = wanted(req);
        final Map<Path, Map<String, DescribeLogDirsTopic>> byDir = new LinkedHashMap<>();
        for (Path dir : ctx.logs().logDirs()) {
            byDir.put(dir.toAbsolutePath().normalize(), new TreeMap<>());
        }
        for (PartitionLog log : ctx.logs().partitions()) {
            final TopicPartition tp = log.topicPartition();
            if (wanted != null && !wanted.getOrDefault(tp.topic(), Set.of()).contains(tp.partition())) {
                continue;
            }
            final Map<String, DescribeLogDirsTopic> topics =
                byDir.get(log.dir().getParent().toAbsolutePath().normalize());
            if (topics == null) {
                continue;
            }
            topics.computeIfAbsent(tp.topic(), n -> new DescribeLogDirsTopic().setName(n)).partitions().add(
                new DescribeLogDirsPartition().setPartitionIndex(tp.partition()).setPartitionSize(log.sizeInBytes())
                    .setOffsetLag(Math.max(0L, log.highWatermark() - log.logEndOffset())).setIsFutureKey(false));
        }
        final DescribeLogDirsResponseData resp = new DescribeLogDirsResponseData().setThrottleTimeMs(0)
            .setErrorCode(Errors.NONE.code());
        for (Map.Entry<Path, Map<String, DescribeLogDirsTopic>> e : byDir.entrySet()) {
            final DescribeLogDirsResult r = new DescribeLogDirsResult().setLogDir(e.getKey().toString())
                .setErrorCode(Errors.NONE.code()).setTotalBytes(-1L).setUsableBytes(-1L);
            try {
                final FileStore store = Files.getFileStore(e.getKey());
                if (version >= 4) {
                    r.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
                }
                for (DescribeLogDirsTopic t : e.getValue().values()) {
                    t.partitions().sort((a, b) -> Integer.compare(a.partitionIndex(), b.partitionIndex()));
                    r.topics().add(t);
                }
            } catch (IOException ex) {
                LOG.warn("DescribeLogDirs: log directory {} cannot be read: {}", e.getKey(), ex.toString());
                r.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
            }
            resp.results().add(r);
        }
        return resp;
    }

    /** The partitions asked about by topic, or null for all. */
    private static Map<String, Set<Integer>> wanted(DescribeLogDirsRequestData req) {
        if (req.topics() == null) {
            return null;
        }
        final Map<String, Set<Integer>> out = new HashMap<>();
        for (DescribableLogDirTopic t : req.topics()) {
            final List<Integer> parts = t.partitions();
            out.computeIfAbsent(t.topic(), k -> new HashSet<>()).addAll(parts);
        }
        return out;
    }
}
