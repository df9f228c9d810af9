package io.zcrx.ingest.broker.it.cluster;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.RawClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, acks=all on our leader (Kafka's {@code DelayedProduce}), checked on the wire with raw Produce requests:
 * a controller and two of our brokers, a partition with replicas [1, 2] and {@code min.insync.replicas=2}, led by
 * broker 1. While the follower is frozen (SIGSTOP, so it stays in the ISR for {@code replica.lag.time.max.ms}):
 * <ul>
 *   <li>acks=all answers wait: pipelined requests are all appended to the leader's log (its segment grows by
 *       their size) and none is answered;</li>
 *   <li>the requests' receive memory is released meanwhile: the leader's {@code zcrx_receivememory_inusebytes}
 *       (Prometheus) stays below one request's size while all of them wait, so parked answers cannot exhaust the
 *       receive buffers however many wait;</li>
 *   <li>acks=1 is answered at once (after the local write);</li>
 *   <li>an acks=all request whose TimeoutMs passes answers REQUEST_TIMED_OUT.</li>
 * </ul>
 * Once the follower runs again (SIGCONT) every waiting answer arrives, in order, without error.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AcksAllWaitIT {
    private static final String TOPIC = "acks-all-wait";
    private static final int REQUESTS = 12;
    private static final int RECORDS_PER_BATCH = 256;
    private static final int RECORD_BYTES = 1024;
    private static final short VERSION = 11;

    private static ClusterFixture fixture;
    private static ZcrxBrokerProcess leader;
    private static ZcrxBrokerProcess follower;
    private static int metricsPort;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(AcksAllWaitIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of());
        metricsPort = BrokerProcess.freePort();
        // The follower must stay in the ISR while it is frozen: a lag time well past the test's waits.
        leader = fixture.startZcrxBroker(1, Map.of("replica.lag.time.max.ms", "120000",
            "metrics.prometheus.listener", "127.0.0.1:" + metricsPort));
        follower = fixture.startZcrxBroker(2, Map.of("replica.lag.time.max.ms", "120000"));
        ClusterClients.awaitBrokers(leader.bootstrap(), Set.of(1, 2));
        try (Admin admin = ClusterClients.admin(leader.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2)))
                .configs(Map.of("min.insync.replicas", "2")))).all().get();
            Await.until("the ISR of " + TOPIC + " to be [1, 2]", Duration.ofSeconds(60),
                () -> isrSize(admin), n -> n == 2);
        }
    }

    /** The partition's ISR size, 0 while the topic is not known yet. */
    private static int isrSize(Admin admin) {
        try {
            return admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().get(0).isr()
                .size();
        } catch (ExecutionException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (follower != null && follower.isAlive()) {
            signal("CONT", follower.pid());
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void acksAllWaitsForTheFollowerWithoutHoldingReceiveMemory() throws Exception {
        try (RawClient warm = new RawClient(leader.port())) {
            assertEquals(Errors.NONE, answer(warm, produce(warm, (short) -1, 30_000)),
                "with both replicas running acks=all is answered");
        }
        final long before = segmentBytes();
        signal("STOP", follower.pid());
        try (RawClient waiting = new RawClient(leader.port()); RawClient other = new RawClient(leader.port())) {
            final List<RequestHeader> sent = new ArrayList<>();
            long requestBytes = 0;
            for (int i = 0; i < REQUESTS; i++) {
                final MemoryRecords batch = batch();
                requestBytes = Math.max(requestBytes, batch.sizeInBytes());
                sent.add(send(waiting, batch, (short) -1, 60_000));
            }
            final long appended = REQUESTS * requestBytes;
            Await.until("all " + REQUESTS + " acks=all batches appended to the leader's log", Duration.ofSeconds(60),
                AcksAllWaitIT::segmentBytes, size -> size - before >= appended * 9 / 10);

            final long inUse = receiveMemoryInUse();
            assertTrue(inUse < requestBytes, "receive memory in use while " + REQUESTS + " answers wait ("
                + appended + " bytes appended): " + inUse + " bytes, one request is " + requestBytes);

            assertEquals(Errors.NONE, answer(other, produce(other, (short) 1, 60_000)),
                "acks=1 answers after the local write");
            assertEquals(Errors.REQUEST_TIMED_OUT, answer(other, produce(other, (short) -1, 500)),
                "an acks=all request whose TimeoutMs passes");
            assertFalse(hasBytes(waiting), "no acks=all answer while the follower is frozen");

            signal("CONT", follower.pid());
            for (RequestHeader h : sent) {
                final PartitionProduceResponse p = read(waiting, h);
                assertEquals(Errors.NONE.code(), p.errorCode(), "request " + h.correlationId());
            }
        }
    }

    private static MemoryRecords batch() {
        final SimpleRecord[] records = new SimpleRecord[RECORDS_PER_BATCH];
        final byte[] value = new byte[RECORD_BYTES];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, value);
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private static RequestHeader produce(RawClient c, short acks, int timeoutMs) throws IOException {
        return send(c, batch(), acks, timeoutMs);
    }

    private static RequestHeader send(RawClient c, MemoryRecords records, short acks, int timeoutMs)
            throws IOException {
        final ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(timeoutMs);
        final ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(TOPIC);
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(t);
        return c.send(new ProduceRequest.Builder(VERSION, VERSION, data).build(VERSION), VERSION);
    }

    private static Errors answer(RawClient c, RequestHeader h) throws IOException {
        return Errors.forCode(read(c, h).errorCode());
    }

    private static PartitionProduceResponse read(RawClient c, RequestHeader h) throws IOException {
        final ByteBuffer frame = ByteBuffer.wrap(c.readFrame());
        final ProduceResponse r = (ProduceResponse) AbstractResponse.parseResponse(frame,
            new RequestHeader(ApiKeys.PRODUCE, h.apiVersion(), h.clientId(), h.correlationId()));
        return r.data().responses().iterator().next().partitionResponses().get(0);
    }

    /** True when the broker has sent something on {@code c} (after a second's grace for anything in flight). */
    private static boolean hasBytes(RawClient c) throws IOException, InterruptedException {
        Thread.sleep(1000);
        return c.available() > 0;
    }

    /** Bytes of the leader's segment files of the partition. */
    private static long segmentBytes() throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(leader.logDir().resolve(TOPIC + "-0"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".log")) {
                    total += Files.size(f);
                }
            }
        }
        return total;
    }

    /** The leader's receive memory in use, summed over its reactors, from its Prometheus endpoint. */
    private static long receiveMemoryInUse() throws IOException {
        final URL url = URI.create("http://127.0.0.1:" + metricsPort + "/metrics").toURL();
        final String text;
        try (InputStream in = url.openStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        long sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("zcrx_receivememory_inusebytes")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertTrue(found, "no zcrx_receivememory_inusebytes in the leader's metrics:\n" + text);
        return sum;
    }

    private static void signal(String name, long pid) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + name + " " + pid);
    }
}
