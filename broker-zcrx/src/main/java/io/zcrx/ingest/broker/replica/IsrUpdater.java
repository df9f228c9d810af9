package io.zcrx.ingest.broker.replica;

import io.zcrx.ingest.broker.request.ControllerChannel;
import io.zcrx.ingest.broker.runtime.TimerService;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterPartitionRequest;
import org.apache.kafka.common.requests.AlterPartitionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a leader's ISR changes to the active controller (AlterPartition, key 56; Kafka's
 * {@code AlterPartitionManager}): v3 with {@code NewIsrWithEpochs} (each member's broker epoch: ours from the
 * registration, a follower's from its last Fetch, -1 when it sent none), the leader epoch and the partition epoch
 * the change is based on. One change per partition is in flight at a time ({@link LeaderPartition} keeps it
 * pending); the answer is handed back to the partition on the controller channel's thread. A request that got no
 * answer, or a request-level error, is sent again after {@link #RETRY_BACKOFF_MS}, as Kafka's manager retries,
 * while the change is still the partition's current one.
 */
final class IsrUpdater {
    private static final Logger LOG = LoggerFactory.getLogger(IsrUpdater.class);
    /** Kafka's AlterPartitionManager retries after 50 ms. */
    static final long RETRY_BACKOFF_MS = 50L;

    /** One ISR change as sent: what the request carries plus the partition's generation to match the answer. */
    record Change(Uuid topicId, int partition, int leaderEpoch, int partitionEpoch, int[] newIsr, long[] brokerEpochs,
                  long generation) {
    }

    private final int selfId;
    private final LongSupplier selfBrokerEpoch;
    private final Supplier<ControllerChannel> controller;
    private final TimerService timer;
    private final LongSupplier clock;
    private final HighWatermarkListener onAdvance;

    /** Told when an accepted change moved a partition's high watermark. */
    interface HighWatermarkListener {
        void advanced(LeaderPartition p);
    }

    IsrUpdater(int selfId, LongSupplier selfBrokerEpoch, Supplier<ControllerChannel> controller, TimerService timer,
               LongSupplier clock, HighWatermarkListener onAdvance) {
        this.selfId = selfId;
        this.selfBrokerEpoch = selfBrokerEpoch;
        this.controller = controller;
        this.timer = timer;
        this.clock = clock;
        this.onAdvance = onAdvance;
    }

    /** Sends {@code c} for {@code p} (no lock held). */
    void submit(LeaderPartition p, Change c) {
        final ControllerChannel channel = controller.get();
        if (channel == null) {
            LOG.warn("No controller channel: cannot send the ISR change of partition {}-{}", p.topic().name(),
                p.partition());
            return;
        }
        channel.send(new AlterPartitionRequest.Builder(request(c)))
            .whenComplete((resp, err) -> onAnswer(p, c, resp, err));
    }

    /** The AlterPartition request of one change (Kafka's {@code AlterPartitionManager.buildRequest}). */
    AlterPartitionRequestData request(Change c) {
        final List<AlterPartitionRequestData.BrokerState> isr = new ArrayList<>(c.newIsr().length);
        for (int i = 0; i < c.newIsr().length; i++) {
            isr.add(new AlterPartitionRequestData.BrokerState().setBrokerId(c.newIsr()[i])
                .setBrokerEpoch(c.brokerEpochs()[i]));
        }
        final AlterPartitionRequestData.PartitionData pd = new AlterPartitionRequestData.PartitionData()
            .setPartitionIndex(c.partition()).setLeaderEpoch(c.leaderEpoch()).setPartitionEpoch(c.partitionEpoch())
            .setNewIsrWithEpochs(isr).setLeaderRecoveryState((byte) 0);
        final AlterPartitionRequestData data = new AlterPartitionRequestData().setBrokerId(selfId)
            .setBrokerEpoch(selfBrokerEpoch.getAsLong());
        data.topics().add(new AlterPartitionRequestData.TopicData().setTopicId(c.topicId())
            .setPartitions(new ArrayList<>(List.of(pd))));
        return data;
    }

    /** On the controller channel's thread. */
    void onAnswer(LeaderPartition p, Change c, AbstractResponse resp, Throwable err) {
        Errors error;
        AlterPartitionResponseData.PartitionData answer = null;
        if (err != null) {
            error = Errors.REQUEST_TIMED_OUT;
            LOG.warn("AlterPartition got no answer: partition={}-{}: {}", p.topic().name(), p.partition(),
                err.toString());
        } else if (!(resp instanceof AlterPartitionResponse r)) {
            error = Errors.UNKNOWN_SERVER_ERROR;
        } else if (r.data().errorCode() != Errors.NONE.code()) {
            error = Errors.forCode(r.data().errorCode());
        } else {
            answer = find(r.data(), c);
            error = answer == null ? Errors.UNKNOWN_SERVER_ERROR : Errors.forCode(answer.errorCode());
        }
        if (answer != null && error == Errors.NONE) {
            final int[] isr = new int[answer.isr().size()];
            for (int i = 0; i < isr.length; i++) {
                isr[i] = answer.isr().get(i);
            }
            if (p.onAlterPartitionAccepted(c.generation(), answer.leaderEpoch(), answer.partitionEpoch(), isr,
                    clock.getAsLong())) {
                onAdvance.advanced(p);
            }
            return;
        }
        // A request-level failure says nothing of this partition: sent again, as Kafka's manager does.
        final boolean partitionLevel = answer != null;
        final boolean retry = partitionLevel ? p.onAlterPartitionFailed(c.generation(), error)
            : p.isCurrent(c.generation());
        if (retry) {
            timer.schedule(RETRY_BACKOFF_MS, () -> {
                if (p.isCurrent(c.generation())) {
                    submit(p, c);
                }
            });
        }
    }

    private static AlterPartitionResponseData.PartitionData find(AlterPartitionResponseData data, Change c) {
        for (AlterPartitionResponseData.TopicData t : data.topics()) {
            if (!c.topicId().equals(t.topicId())) {
                continue;
            }
            for (AlterPartitionResponseData.PartitionData pd : t.partitions()) {
                if (pd.partitionIndex() == c.partition()) {
                    return pd;
                }
            }
        }
        return null;
    }
}
