package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.RawClient;
import io.zcrx.ingest.broker.testkit.TestBroker;
import io.zcrx.ingest.log.PartitionLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

/**
 * The flush policy as producers see it, transport-neutral: with group commit an acks=all answer
 * comes only after an fsync covered the batch (the partition's recovery point has passed it when
 * the response arrives), acks=1 does not wait, {@code flush.messages} makes the append that reaches
 * it wait (as Kafka flushes inline), and many concurrent acks=all requests share fsyncs.
 */
public abstract class AbstractGroupCommitIT extends TransportSuite {

    @Test
    void acksAllIsAnsweredOnlyAfterAnFsyncCoversTheBatch() throws Exception {
        // Goal: log.flush.group.commit.enable=true makes every acks=all answer follow an fsync of its
        // batch; acks=1 is still answered from the page cache; with the setting off nothing waits.
        // Method: raw Produce requests; at the moment each response arrives, compare the partition's
        // recovery point (offsets below it are fsynced) with the batch's last offset. No flush
        // policy is set, so only the group commit can move the recovery point.
        try (TestBroker b = startBroker("on", "log.flush.group.commit.enable", "true");
             RawClient c = new RawClient(b.port())) {
            final Uuid all = createTopic(c, "all");
            final Uuid one = createTopic(c, "one");
            final PartitionLog allLog = b.broker().logs().partition("all", 0);
            final PartitionLog oneLog = b.broker().logs().partition("one", 0);
            for (int i = 0; i < 20; i++) {
                final ProduceResponseData.PartitionProduceResponse r = produce(c, "all", all, (short) -1, 3, (short) 9);
                assertEquals(Errors.NONE.code(), r.errorCode());
                assertTrue(allLog.recoveryPoint() >= r.baseOffset() + 3, "answered before its fsync: recoveryPoint="
                    + allLog.recoveryPoint() + ", batch=" + r.baseOffset() + "..+2");
            }
            for (int i = 0; i < 5; i++) {
                final ProduceResponseData.PartitionProduceResponse r = produce(c, "one", one, (short) 1, 3, (short) 13);
                assertEquals(Errors.NONE.code(), r.errorCode());
            }
            assertEquals(0L, oneLog.recoveryPoint(), "acks=1 waited for (or caused) an fsync");
            assertTrue(b.broker().context().flusher().partitionFlushes() <= 20);
            b.assertNoLeaks();
        }
        try (TestBroker b = startBroker("off");
             RawClient c = new RawClient(b.port())) {
            final Uuid all = createTopic(c, "all");
            for (int i = 0; i < 5; i++) {
                assertEquals(Errors.NONE.code(), produce(c, "all", all, (short) -1, 3, (short) 9).errorCode());
            }
            assertEquals(0L, b.broker().logs().partition("all", 0).recoveryPoint(),
                "without group commit acks=all does not fsync");
        }
    }

    @Test
    void theAppendThatReachesFlushMessagesIsAnsweredAfterTheFlush() throws Exception {
        // Goal: Kafka's flush.messages (topic) / log.flush.interval.messages (broker): the append that
        // brings the unflushed count to N is answered after the fsync, earlier ones are not delayed.
        // Method: a topic created with flush.messages=7; acks=1 batches of 3 records: the third batch
        // (offsets 6..8) reaches 7 unflushed offsets and must find the recovery point at 9.
        try (TestBroker b = startBroker("msgs");
             RawClient c = new RawClient(b.port())) {
            final CreateTopicsResponse created =
                c.roundTrip(new CreateTopicsRequest.Builder(new CreateTopicsRequestData()
                .setTimeoutMs(10_000).setTopics(new CreateTopicsRequestData.CreatableTopicCollection(List.of(
                    new CreateTopicsRequestData.CreatableTopic().setName("msgs").setNumPartitions(1)
                        .setReplicationFactor((short) 1).setConfigs(new CreateTopicsRequestData
                            .CreatableTopicConfigCollection(List.of(new CreateTopicsRequestData.CreatableTopicConfig()
                            .setName("flush.messages").setValue("7")).iterator()))).iterator()))), (short) 7);
            assertEquals(Errors.NONE.code(), created.data().topics().find("msgs").errorCode());
            final Uuid id = created.data().topics().find("msgs").topicId();
            final PartitionLog log = b.broker().logs().partition("msgs", 0);
            assertEquals(Errors.NONE.code(), produce(c, "msgs", id, (short) 1, 3, (short) 9).errorCode());
            assertEquals(Errors.NONE.code(), produce(c, "msgs", id, (short) 1, 3, (short) 9).errorCode());
            assertEquals(0L, log.recoveryPoint(), "flushed before flush.messages was reached");
            final ProduceResponseData.PartitionProduceResponse third = produce(c, "msgs", id, (short) 1, 3, (short) 9);
            assertEquals(6L, third.baseOffset());
            assertTrue(log.recoveryPoint() >= 9, "answered before the flush: recoveryPoint=" + log.recoveryPoint());
            b.assertNoLeaks();
        }
    }

    @Test
    void concurrentAcksAllRequestsShareFsyncsAndKeepTheirOrder() throws Exception {
        // Goal: the group commit batches: many connections pipelining acks=all requests are all
        // answered, in request order per connection, durable when answered, with fewer fsyncs than
        // requests. Method: 6 raw connections x 150 pipelined single-batch requests to 3 partitions
        // of one topic, responses matched FIFO by correlation id.
        try (TestBroker b = startBroker("many", "log.flush.group.commit.enable", "true",
                "num.partitions", "3")) {
            final Uuid id;
            try (RawClient c = new RawClient(b.port())) {
                id = createTopic(c, "many");
            }
            final int connections = 6;
            final int requests = 150;
            final List<Thread> threads = new ArrayList<>();
            final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            for (int k = 0; k < connections; k++) {
                final int partition = k % 3;
                final Thread t = new Thread(() -> {
                    try (RawClient c = new RawClient(b.port())) {
                        final List<RequestHeader> sent = new ArrayList<>();
                        for (int i = 0; i < requests; i++) {
                            sent.add(c.send(request("many", id, partition, (short) -1, 2).build((short) 9), (short) 9));
                        }
                        for (RequestHeader h : sent) {
                            final ProduceResponse r = (ProduceResponse) AbstractResponse.parseResponse(
                                ByteBuffer.wrap(c.readFrame()), h);
                            final ProduceResponseData.PartitionProduceResponse p =
                                r.data().responses().iterator().next().partitionResponses().get(0);
                            if (p.errorCode() != 0) {
                                throw new AssertionError("error " + Errors.forCode(p.errorCode()));
                            }
                            final long rp = b.broker().logs().partition("many", partition).recoveryPoint();
                            if (rp < p.baseOffset() + 2) {
                                throw new AssertionError("answered before its fsync: recoveryPoint=" + rp
                                    + ", baseOffset=" + p.baseOffset());
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            long end = 0;
            for (int p = 0; p < 3; p++) {
                end += b.broker().logs().partition("many", p).logEndOffset();
            }
            assertEquals(2L * connections * requests, end);
            final long fsyncs = b.broker().context().flusher().partitionFlushes();
            System.out.printf("group commit: %d acks=all requests, %d partition fsyncs in %d flusher rounds%n",
                connections * requests, fsyncs, b.broker().context().flusher().rounds());
            assertTrue(fsyncs < connections * requests, "no request shared an fsync: fsyncs=" + fsyncs);
            b.assertNoLeaks();
        }
    }

    static Uuid createTopic(RawClient c, String name) throws Exception {
        final MetadataResponse md = c.roundTrip(new MetadataRequest.Builder(new MetadataRequestData()
            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(name)))
            .setAllowAutoTopicCreation(true)), (short) 12);
        assertEquals(Errors.NONE.code(), md.data().topics().iterator().next().errorCode());
        return md.data().topics().iterator().next().topicId();
    }

    static ProduceRequest.Builder request(String topic, Uuid id, int partition, short acks, int records) {
        final SimpleRecord[] recs = new SimpleRecord[records];
        for (int i = 0; i < records; i++) {
            recs[i] = new SimpleRecord(("r" + i).getBytes());
        }
        final ProduceRequestData.TopicProduceDataCollection topics =
            new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(topic).setTopicId(id)
            .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(partition)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, recs)))));
        return ProduceRequest.builder(new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000).setTopicData(topics));
    }

    static ProduceResponseData.PartitionProduceResponse produce(RawClient c, String topic, Uuid id, short acks,
                                                               int records, short version) throws Exception {
        final ProduceResponse r = c.roundTrip(request(topic, id, 0, acks, records), version);
        return r.data().responses().iterator().next().partitionResponses().get(0);
    }

}
