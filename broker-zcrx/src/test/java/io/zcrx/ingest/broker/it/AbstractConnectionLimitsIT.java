package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.RawClient;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Resource limits against hostile or careless clients, transport-neutral: the deadline for a request
 * that never completes (slow senders), the topics/partitions a request may name, and bounded memory
 * with 1,000 idle connections plus slow senders while a producer keeps being served.
 */
public abstract class AbstractConnectionLimitsIT extends TransportSuite {

    @Test
    void aRequestThatNeverCompletesClosesItsConnectionAtTheDeadline() throws Exception {
        // Goal: connection.request.receive.timeout.ms closes a connection whose request started and
        // did not complete in time, whether the sender stopped or trickles bytes (the deadline runs
        // from the request's first byte, so trickling does not extend it), and its receive memory
        // comes back; a connection between requests is not affected. Method: 1 s deadline; a
        // stalled sender, a trickler (one byte per 200 ms), and an idle connection that then sends
        // a whole request.
        try (TestBroker b = startBroker("deadline",
                "connection.request.receive.timeout.ms", "1000")) {
            try (RawClient stalled = new RawClient(b.port()); RawClient idle = new RawClient(b.port());
                 SocketChannel trickler = SocketChannel.open(new InetSocketAddress("127.0.0.1", b.port()))) {
                stalled.sendRaw(ByteBuffer.allocate(14).putInt(1000).putShort(ApiKeys.METADATA.id).array());
                trickler.write(ByteBuffer.allocate(4).putInt(50_000).flip());
                final long start = System.nanoTime();
                boolean tricklerClosed = false;
                while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8) && !tricklerClosed) {
                    // Deliberate: trickling one byte per 200 ms is the slow sender under test.
                    Thread.sleep(200);
                    try {
                        trickler.write(ByteBuffer.wrap(new byte[] {1}));
                    } catch (IOException e) {
                        tricklerClosed = true;
                    }
                }
                assertTrue(tricklerClosed, "a trickling sender was never closed");
                assertTrue(stalled.closedByBroker(), "a stalled request was never closed");
                // Deliberate: let more than the 1 s deadline pass for the idle connection too, so
                // that being left open shows the deadline does not apply between requests.
                Thread.sleep(1500);
                final ApiVersionsResponse av = idle.roundTrip(new ApiVersionsRequest.Builder((short) 3), (short) 3);
                assertEquals(Errors.NONE.code(), av.data().errorCode(),
                    "an idle connection between requests stays usable");
            }
            b.assertNoLeaks();
        }
    }

    @Test
    void slowSendersPinningAllReceiveMemoryAreClosedLongBeforeTheirDeadline() throws Exception {
        // Goal: receive.memory.reclaim.*: when partial requests of slow senders pin (nearly) all of a
        // reactor's receive memory, the broker closes the oldest of them instead of letting every
        // other connection's reads wait for the request deadline. Method: one reactor with a tiny
        // receive pool (16 buffers), a request deadline of 10 minutes (far beyond this test), reclaim
        // age 500 ms; 32 slow senders (2x the buffers) each trickle one byte of a 100 KB request
        // every 100 ms and reconnect when closed, while a KafkaProducer sends 2,000 x 512 B records
        // (delivery timeout 120 s). Without the reclaim the slow senders keep the pool until their
        // deadline (receive.memory.reclaim.below.percent=0, 30 s delivery timeout, io_uring: 9 of the
        // 2,000 sends expired, and the slow senders were closed only at the 10-minute deadline).
        try (TestBroker b = startBroker("reclaim", "num.network.threads", "1", "nio.buffer.count", "16",
                "uring.buffer.count", "16", "socket.request.max.bytes", "262144", "message.max.bytes", "131072",
                "connection.request.receive.timeout.ms", "600000",
                "receive.memory.reclaim.request.age.ms", "500")) {
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong slowClosed = new AtomicLong();
            double producerSeconds = 0;
            final AtomicLong slowOpened = new AtomicLong();
            final Thread slow = new Thread(() -> slowSenders(b.port(), 32, stop, slowOpened, slowClosed));
            slow.start();
            try {
                // The producer starts once every slow sender is connected and holding a partial
                // request (or the reclaim has already begun closing them).
                Await.until("32 slow senders connected", () -> slowClosed.get() > 0
                    || (slowOpened.get() >= 32 && b.broker().transport().connectionCount() >= 32));
                final long t0 = System.nanoTime();
                final long sent = produce("127.0.0.1:" + b.port(), "reclaim", 2_000, 120_000);
                assertEquals(2_000, sent);
                producerSeconds = (System.nanoTime() - t0) / 1e9;
            } finally {
                stop.set(true);
                slow.join(10_000);
            }
            assertTrue(slowClosed.get() > 0, "no slow sender was closed: the producer got through anyway?");
            System.out.printf("reclaim run (%s): 2000 records acknowledged in %.1f s while 32 slow senders competed "
                + "for a 16-buffer receive pool; slow-sender connections closed by the broker: %d%n", transport(),
                producerSeconds, slowClosed.get());
            b.awaitNoConnections();
            b.assertNoLeaks();
        }
    }

    @Test
    void requestsNamingTooManyTopicsOrPartitionsCloseTheConnection() throws Exception {
        // Goal: request.max.topics / request.max.partitions bound what one request can make the
        // broker do (and allocate): Produce, Metadata and CreateTopics (counting the partitions it
        // would create) above them close the connection; requests within them are served. Method:
        // limits of 2 topics / 4 partitions; raw requests just above and at the limits.
        try (TestBroker b = startBroker("limits", "request.max.topics", "2",
                "request.max.partitions", "4", "num.partitions", "5")) {
            final Uuid id;
            try (RawClient c = new RawClient(b.port())) {
                final MetadataResponse md = c.roundTrip(
                    new MetadataRequest.Builder(new MetadataRequestData().setTopics(List.of(
                        new MetadataRequestData.MetadataRequestTopic().setName("wide")))
                        .setAllowAutoTopicCreation(true)), (short) 12);
                id = md.data().topics().iterator().next().topicId();
                final ProduceResponse ok = c.roundTrip(produce(id, 4), (short) 9);
                assertEquals(4, ok.data().responses().iterator().next().partitionResponses().size());
                ok.data().responses().iterator().next().partitionResponses()
                    .forEach(p -> assertEquals(Errors.NONE.code(), p.errorCode()));
            }
            try (RawClient c = new RawClient(b.port())) {
                c.send(produce(id, 5).build((short) 9), (short) 9);
                assertTrue(c.closedByBroker(), "a produce naming 5 partitions was served");
            }
            try (RawClient c = new RawClient(b.port())) {
                c.send(new MetadataRequest.Builder(new MetadataRequestData().setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName("a"),
                    new MetadataRequestData.MetadataRequestTopic().setName("b"),
                    new MetadataRequestData.MetadataRequestTopic().setName("c")))).build((short) 12), (short) 12);
                assertTrue(c.closedByBroker(), "a metadata request naming 3 topics was served");
            }
            try (RawClient c = new RawClient(b.port())) {
                c.send(new CreateTopicsRequest.Builder(new CreateTopicsRequestData().setTimeoutMs(1000).setTopics(
                    new CreateTopicsRequestData.CreatableTopicCollection(List.of(new CreateTopicsRequestData
                        .CreatableTopic().setName("huge").setNumPartitions(1000).setReplicationFactor((short) 1))
                        .iterator()))).build((short) 7), (short) 7);
                assertTrue(c.closedByBroker(), "a CreateTopics for 1000 partitions was served");
            }
            assertEquals(null, b.broker().context().topics().get("huge"));
            b.assertNoLeaks();
        }
    }

    @Test
    void aThousandIdleConnectionsAndSlowSendersDoNotStarveAProducerAndMemoryStaysBounded() throws Exception {
        // Goal: the connection-limits run. Idle connections cost little and no receive memory; slow
        // senders hold at most what their partial requests pin, are closed at the request deadline,
        // and neither starves a producer; the broker's resident memory stays bounded. Method: Main
        // in a child JVM (-Xmx256m, one reactor, default 1024 x 64 KiB receive pool, 3 s request
        // deadline); a KafkaProducer sends 40,000 x 512 B (acks=1) alone, then again while 1,000
        // connections (each after one ApiVersions) sit idle and 100 slow senders trickle a byte of a
        // 100 KB request every 100 ms, reconnecting when closed. RSS (VmRSS/VmHWM) is sampled
        // throughout; a first producer run warms up both JVMs. Speeds are reported, not asserted (no timing thresholds
        // in tests).
        final int port = BrokerProcess.freePort();
        final String bootstrap = "127.0.0.1:" + port;
        try (BrokerProcess broker = BrokerProcess.spawn(tmp.resolve("broker.out"), "-Xmx256m",
                "listeners", "PLAINTEXT://" + bootstrap, "log.dirs", tmp.resolve("logs").toString(),
                "transport", transport(), "num.network.threads", "1",
                "connection.request.receive.timeout.ms", "3000")) {
            broker.awaitStarted(60_000);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic("load", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            final long rssStartKb = broker.residentKb()[0];
            // Warm-up (JIT on both sides), so the two timed runs compare like with like.
            producerRecordsPerSecond(bootstrap, 40_000);
            final double alone = producerRecordsPerSecond(bootstrap, 40_000);
            final long rssAfterAloneKb = broker.residentKb()[0];

            final List<SocketChannel> idle = new ArrayList<>();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong slowClosed = new AtomicLong();
            final AtomicLong peakRssKb = new AtomicLong();
            Thread slow = null;
            Thread sampler = null;
            try {
                for (int i = 0; i < 1000; i++) {
                    idle.add(openAndHandshake(port, i));
                }
                final long rssIdleKb = broker.residentKb()[0];
                sampler = new Thread(() -> {
                    while (!stop.get()) {
                        peakRssKb.accumulateAndGet(broker.residentKb()[0], Math::max);
                        try {
                            // Deliberate: the sampling period of the resident-memory sampler.
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                sampler.start();
                final AtomicLong slowOpened = new AtomicLong();
                slow = new Thread(() -> slowSenders(port, 100, stop, slowOpened, slowClosed));
                slow.start();
                Await.until("100 slow senders connected", () -> slowOpened.get() >= 100);
                final double loaded = producerRecordsPerSecond(bootstrap, 40_000);
                // Every slow sender is closed at the 3 s request deadline at least once.
                Await.until("every slow sender closed at the deadline", () -> slowClosed.get() >= 100);
                final long[] rss = broker.residentKb();
                stop.set(true);
                slow.join(10_000);
                sampler.join(5_000);
                // Every idle connection is still open and served.
                int served = 0;
                for (int i = 0; i < idle.size(); i += 100) {
                    served += roundTrip(idle.get(i), 10_000 + i) ? 1 : 0;
                }
                assertEquals(10, served, "idle connections were dropped");
                assertTrue(slowClosed.get() >= 100, "slow senders were not closed at the deadline: closed="
                    + slowClosed.get());
                final String summary = String.format("limits run (%s): producer alone %.0f records/s, with 1000 idle "
                        + "connections + 100 slow senders %.0f records/s; broker RSS: start %d MiB, after the first "
                        + "producer run %d MiB, with 1000 idle connections %d MiB, under load now %d MiB, peak sampled "
                        + "%d MiB, VmHWM %d MiB; slow-sender connections closed at the 3 s deadline: %d",
                    transport(), alone, loaded, rssStartKb / 1024, rssAfterAloneKb / 1024, rssIdleKb / 1024,
                    rss[0] / 1024, peakRssKb.get() / 1024, rss[1] / 1024, slowClosed.get());
                System.out.println(summary);
                Files.writeString(Path.of("target", getClass().getSimpleName() + "-summary.txt"), summary);
                // Bounded: -Xmx256m heap + the 64 MiB receive pool + JVM overhead; 1,000 connections
                // must not add anything like a buffer each (64 MiB).
                assertTrue(rss[1] < 1024 * 1024, "broker peak RSS above 1 GiB: " + rss[1] + " KiB");
                assertTrue(rssIdleKb - rssAfterAloneKb < 64 * 1024, "1000 idle connections cost "
                    + (rssIdleKb - rssAfterAloneKb) + " KiB of resident memory");
            } finally {
                stop.set(true);
                for (SocketChannel c : idle) {
                    c.close();
                }
            }
        }
    }

    private static SocketChannel openAndHandshake(int port, int correlationId) throws IOException {
        final SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        if (!roundTrip(ch, correlationId)) {
            throw new IOException("ApiVersions not answered on connection " + correlationId);
        }
        return ch;
    }

    /** ApiVersions v3 over a blocking channel; true when the answer carries our correlation id. */
    private static boolean roundTrip(SocketChannel ch, int correlationId) throws IOException {
        final ByteBuffer req = new ApiVersionsRequest.Builder((short) 3).build((short) 3)
            .serializeWithHeader(new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "idle", correlationId));
        final ByteBuffer frame = ByteBuffer.allocate(4 + req.remaining()).putInt(req.remaining()).put(req).flip();
        while (frame.hasRemaining()) {
            ch.write(frame);
        }
        final ByteBuffer size = ByteBuffer.allocate(4);
        while (size.hasRemaining()) {
            if (ch.read(size) < 0) {
                return false;
            }
        }
        final ByteBuffer resp = ByteBuffer.allocate(size.flip().getInt());
        while (resp.hasRemaining()) {
            if (ch.read(resp) < 0) {
                return false;
            }
        }
        return resp.getInt(0) == correlationId;
    }

    /**
     * {@code count} connections each trickling one byte of a 100 KB request every 100 ms; reconnects
     * when closed. Counts the connections it opened and those the broker closed.
     */
    private static void slowSenders(int port, int count, AtomicBoolean stop, AtomicLong opened, AtomicLong closed) {
        final SocketChannel[] chans = new SocketChannel[count];
        try {
            while (!stop.get()) {
                for (int i = 0; i < count; i++) {
                    try {
                        if (chans[i] == null) {
                            chans[i] = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                            chans[i].write(ByteBuffer.allocate(6).putInt(100_000).putShort(ApiKeys.PRODUCE.id).flip());
                            opened.incrementAndGet();
                        } else {
                            chans[i].write(ByteBuffer.wrap(new byte[] {0}));
                        }
                    } catch (IOException e) {
                        closed.incrementAndGet();
                        try {
                            chans[i].close();
                        } catch (IOException | RuntimeException ignored) {
                            // Already gone.
                        }
                        chans[i] = null;
                    }
                }
                // Deliberate: one byte per connection every 100 ms is the slow sender under test.
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (SocketChannel c : chans) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (IOException ignored) {
                    // Closing on the way out.
                }
            }
        }
    }

    /** Sends {@code records} x 512 B (acks=1) and returns how many were acknowledged; every send must succeed. */
    private static long produce(String bootstrap, String topic, int records, int deliveryTimeoutMs) throws Exception {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(deliveryTimeoutMs));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(deliveryTimeoutMs / 2));
        final byte[] value = new byte[512];
        final AtomicLong acked = new AtomicLong();
        final AtomicReference<Exception> failure =
            new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, value), (md, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new AssertionError("producer sends failed (" + acked.get() + " of " + records + " acknowledged)",
                failure.get());
        }
        return acked.get();
    }

    private static double producerRecordsPerSecond(String bootstrap, int records) throws Exception {
        final long t0 = System.nanoTime();
        assertEquals(records, produce(bootstrap, "load", records, 120_000));
        return records / ((System.nanoTime() - t0) / 1e9);
    }

    private static ProduceRequest.Builder produce(Uuid id, int partitions) {
        final ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName("wide")
            .setTopicId(id);
        for (int i = 0; i < partitions; i++) {
            t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(i)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes()))));
        }
        final ProduceRequestData.TopicProduceDataCollection topics =
            new ProduceRequestData.TopicProduceDataCollection();
        topics.add(t);
        return ProduceRequest.builder(new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000)
            .setTopicData(topics));
    }
}
