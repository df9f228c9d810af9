package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.replica.DelayedDeleteRecords;
import io.zcrx.ingest.broker.replica.LeaderPartitions;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.log.PartitionLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeleteRecords, v0-v2 ({@code kafka-delete-records}, Admin {@code deleteRecords}, Kafka Streams purging its
 * repartition topics), as Kafka's {@code ReplicaManager.deleteRecords} and {@code Partition.deleteRecordsOnLeader}:
 * on the partition's leader the log start offset moves up to the requested offset ({@link
 * PartitionLog#maybeIncrementLogStartOffset}; -1 is the high watermark), and the answer is the partition's low
 * watermark, its new log start. An offset above the high watermark (or below -1) is OFFSET_OUT_OF_RANGE, a topic
 * whose {@code cleanup.policy} lacks {@code delete} POLICY_VIOLATION, an internal topic INVALID_TOPIC_EXCEPTION, a
 * partition not led here NOT_LEADER_OR_FOLLOWER, an unknown one UNKNOWN_TOPIC_OR_PARTITION.
 *
 * <p>The new log start is written to {@code log-start-offset-checkpoint} before the answer (on a thread of its own,
 * not the reactor: the fsync would stall the reactor's other connections), so a restart keeps it;
 * the segments wholly below it are removed at once. Followers take it from the leader's next Fetch response
 * ({@code ReplicaFetcher}) and report theirs in their next Fetch request. In cluster mode the answer waits for them,
 * as Kafka's {@code DelayedDeleteRecords} ({@link DelayedDeleteRecords}): a partition's low watermark is the
 * smallest log start over the leader and its followers on live brokers ({@link LeaderPartitions#lowWatermark}), and
 * the answer leaves once every partition's has reached the offset asked for, or at the request's {@code TimeoutMs}
 * (the partitions still short REQUEST_TIMED_OUT). A single-replica partition, and every partition of a standalone
 * broker, answers at once with the leader's log start.
 *
 * <p>Thread-safe (stateless; a parked answer is {@link DelayedDeleteRecords}'s).
 */
public final class DeleteRecordsHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeleteRecordsHandler.class);

    private final BrokerContext ctx;
    /**
     * Writes the log-start checkpoint off the reactors: one daemon thread, started on demand and gone after 10 s
     * idle (DeleteRecords is an admin request; a thread for it the whole time would be waste).
     */
    private final ThreadPoolExecutor checkpointer = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
            final Thread t = new Thread(r, "zcrx-delete-records-checkpoint");
            t.setDaemon(true);
            return t;
        });
    /** The leader side of replication (cluster mode), else null. */
    private final LeaderPartitions leaders;

    public DeleteRecordsHandler(BrokerContext ctx, LeaderPartitions leaders) {
        this.ctx = ctx;
        // Null standalone (the lifecycle passes none there): single replicas answer at once.
        this.leaders = leaders;
    }

    /**
     * Answers {@code req} once the moved log starts are checkpointed: now when nothing moved, else from the
     * checkpoint thread, and (cluster mode, followers behind) once they caught up or it timed out.
     */
    public void handle(RequestContext req, DeleteRecordsRequestData data) {
        final List<DelayedDeleteRecords.Waiting> waiting = new ArrayList<>();
        final DeleteRecordsResponseData resp = new DeleteRecordsResponseData().setThrottleTimeMs(0);
        if (delete(data, waiting, req, resp)) {
            // The checkpoint's fsync must not stall every other connection of this reactor: it runs on the
            // checkpoint thread, which then answers (or parks the answer for the followers).
            final PendingResponse pending = req.defer();
            checkpointer.execute(() -> checkpointThenAnswer(pending, resp, waiting, data.timeoutMs()));
            return;
        }
        if (waiting.isEmpty()) {
            req.respond(resp);
            return;
        }
        DelayedDeleteRecords.park(leaders, req.defer(), resp, waiting, data.timeoutMs());
    }

    /**
     * On the checkpoint thread. Whatever fails, the answer leaves: responses go out in request order, so one that
     * never completes would hold every later response of its connection.
     */
    private void checkpointThenAnswer(PendingResponse pending, DeleteRecordsResponseData resp,
                                      List<DelayedDeleteRecords.Waiting> waiting, long timeoutMs) {
        try {
            ctx.logs().checkpoint();
        } catch (IOException | RuntimeException e) {
            // The checkpoint task retries within log.flush.offset.checkpoint.interval.ms; until then a crash
            // brings the deleted records back, as in Kafka between two of its checkpoints.
            LOG.warn("Writing the log start offset checkpoint after DeleteRecords failed: {}", e.toString());
        }
        try {
            if (waiting.isEmpty()) {
                pending.completeFromAnyThread(resp);
            } else {
                DelayedDeleteRecords.park(leaders, pending, resp, waiting, timeoutMs);
            }
        } catch (RuntimeException e) {
            LOG.error("Parking the DeleteRecords answer failed; answering at once", e);
            pending.completeFromAnyThread(resp);
        }
    }

    /**
     * Moves the log starts and builds the answer; in cluster mode the partitions whose followers have not followed
     * yet are added to {@code waiting}. DELETE on each topic (Kafka's {@code handleDeleteRecordsRequest}), else
     * TOPIC_AUTHORIZATION_FAILED for its partitions.
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     * @param resp the answer, filled in per topic and partition
     * @return whether any log start moved (then the checkpoint must be written before the answer)
     */
    boolean delete(DeleteRecordsRequestData req, List<DelayedDeleteRecords.Waiting> waiting, RequestContext who,
                   DeleteRecordsResponseData resp) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        boolean moved = false;
        for (DeleteRecordsTopic t : req.topics()) {
            final DeleteRecordsTopicResult tr = new DeleteRecordsTopicResult().setName(t.name());
            resp.topics().add(tr);
            final TopicInfo topic = ctx.topics().get(t.name());
            final boolean deletable = authz.authorize(who, AclOperation.DELETE, ResourceType.TOPIC, t.name());
            for (DeleteRecordsPartition p : t.partitions()) {
                final DeleteRecordsPartitionResult pr = new DeleteRecordsPartitionResult()
                    .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1L);
                tr.partitions().add(pr);
                if (!deletable) {
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                moved |= delete(topic, t.name(), p, pr);
                if (leaders != null && pr.errorCode() == Errors.NONE.code()) {
                    awaitFollowers(topic.partition(p.partitionIndex()), requiredOffset(p, pr), pr, waiting);
                }
            }
        }
        return moved;
    }

    /** One partition; true if its log start moved. */
    private boolean delete(TopicInfo topic, String name, DeleteRecordsPartition p, DeleteRecordsPartitionResult pr) {
        if (topic == null || topic.isDeleted() || topic.state(p.partitionIndex()) == null) {
            pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            return false;
        }
        if (topic.isInternal()) {
            pr.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
            return false;
        }
        final PartitionLog log = topic.partition(p.partitionIndex());
        if (log == null || !log.isLeading()) {
            pr.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
            return false;
        }
        if (!deletable(topic.overrides())) {
            pr.setErrorCode(Errors.POLICY_VIOLATION.code());
            return false;
        }
        final long hw = log.highWatermark();
        final long offset = p.offset() == DeleteRecordsRequest.HIGH_WATERMARK ? hw : p.offset();
        if (offset < 0 || offset > hw) {
            pr.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
            return false;
        }
        final boolean moved;
        try {
            moved = log.maybeIncrementLogStartOffset(offset, hw, ctx.nowMs());
        } catch (IllegalArgumentException e) {
            // The high watermark went back under us (a truncation): as Kafka, out of range.
            pr.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
            return false;
        } catch (IllegalStateException e) {
            pr.setErrorCode(log.isOnline() ? Errors.NOT_LEADER_OR_FOLLOWER.code() : Errors.KAFKA_STORAGE_ERROR.code());
            return false;
        }
        pr.setErrorCode(Errors.NONE.code()).setLowWatermark(log.logStartOffset());
        return moved;
    }

    /** The offset asked for, resolved (-1, the high watermark, was resolved by {@link #delete} into the answer). */
    private static long requiredOffset(DeleteRecordsPartition p, DeleteRecordsPartitionResult pr) {
        return p.offset() == DeleteRecordsRequest.HIGH_WATERMARK ? pr.lowWatermark() : p.offset();
    }

    /**
     * Cluster mode, Kafka's {@code deleteRecordsOnLeader} answer: the partition's low watermark over its replicas;
     * below the offset asked for, the partition waits.
     */
    private void awaitFollowers(PartitionLog log, long required, DeleteRecordsPartitionResult pr,
                                List<DelayedDeleteRecords.Waiting> waiting) {
        final OptionalLong low = log == null ? OptionalLong.empty() : leaders.lowWatermark(log);
        if (low.isEmpty()) {
            pr.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setLowWatermark(-1L);
            return;
        }
        pr.setLowWatermark(low.getAsLong());
        if (low.getAsLong() < required) {
            waiting.add(new DelayedDeleteRecords.Waiting(log, required, pr));
        }
    }

    /** True if the topic's effective {@code cleanup.policy} includes {@code delete} (Kafka's config.delete). */
    private boolean deletable(Map<String, String> overrides) {
        final String policy = TopicConfigs.effective(ctx.dynamicConfig().current(), overrides)
            .get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        for (String s : policy.replace("[", "").replace("]", "").split(",")) {
            if (s.trim().equals(TopicConfig.CLEANUP_POLICY_DELETE)) {
                return true;
            }
        }
        return false;
    }
}
