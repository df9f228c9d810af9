package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.zcrx.ingest.broker.testkit.RawClient;
import io.zcrx.ingest.broker.testkit.TestBroker;
import io.zcrx.ingest.broker.uring.UringSupport;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The produce path, end to end inside the broker (socket receive, framing, decode, batch checks,
 * append, response encode, send), allocates nothing per request on the reactor thread, over NIO
 * and over copy-mode io_uring.
 */
class ProduceAllocationIT {

    @ParameterizedTest
    @ValueSource(strings = {"nio", "uring"})
    void steadyStateProduceAllocatesNothingOnTheReactor(String transport) throws Exception {
        // Goal: the hot-path rule of docs/design.md ("Code rules"), measured on the real thing. Method: one NIO
        // reactor; pipelined Produce v9 and v13 requests (idempotent, 16 x 100-byte records) from a raw client; the
        // reactor thread's allocated-bytes counter (HotSpot ThreadMXBean) read before and after 20,000 requests
        // that follow 20,000 warm-up requests.
        if (transport.equals("uring")) {
            final UringSupport s = UringSupport.get();
            Assumptions.assumeTrue(s.copyModeAvailable(), () -> "copy-mode io_uring unavailable: " + s.reason());
        }
        final Path dir = Files.createTempDirectory("zcrx-alloc");
        try (TestBroker b = TestBroker.start(dir.resolve("logs"), transport, "num.network.threads", "1");
             RawClient c = new RawClient(b.port())) {
            final MetadataResponse md = c.roundTrip(new MetadataRequest.Builder(new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("alloc")))
                .setAllowAutoTopicCreation(true)), (short) 12);
            final Uuid id = md.data().topics().iterator().next().topicId();
            final ThreadMXBean threads =
                (ThreadMXBean) ManagementFactory.getThreadMXBean();
            final long reactor = reactorThreadId(transport + "-reactor-0");
            final int[] sequence = {0};
            run(c, id, sequence, 20_000);
            final long before = threads.getThreadAllocatedBytes(reactor);
            final int n = 20_000;
            run(c, id, sequence, n);
            final long after = threads.getThreadAllocatedBytes(reactor);
            final double perRequest = (after - before) / (double) n;
            System.out.printf("%s reactor allocation: %d bytes over %d produce requests = %.2f bytes/request%n",
                transport, after - before, n, perRequest);
            // A per-request allocation (a String, a boxed value, an iterator) would be >= 16 bytes
            // per request; the bound leaves room only for rare one-offs (pool growth, a log line).
            assertTrue(perRequest < 1.0, "bytes allocated per produce request on the reactor: " + perRequest);
            // Every request succeeded (an error path would not be the hot path being measured).
            assertEquals(40_000L * 16, b.broker().logs().partition("alloc", 0).logEndOffset());
            b.assertNoLeaks();
        } finally {
            TestBroker.deleteRecursively(dir);
        }
    }

    private static long reactorThreadId(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return t.getId();
            }
        }
        throw new AssertionError("no thread named " + name);
    }

    /** Sends {@code count} produce requests, 64 in flight, alternating v9 (names) and v13 (ids). */
    private static void run(RawClient c, Uuid id, int[] sequence, int count) throws Exception {
        final long producerId = 1_000_000L;
        final List<byte[]> frames = new ArrayList<>();
        int inFlight = 0;
        for (int i = 0; i < count; i++) {
            final SimpleRecord[] recs = new SimpleRecord[16];
            for (int r = 0; r < recs.length; r++) {
                recs[r] = new SimpleRecord(System.currentTimeMillis(), null, new byte[100]);
            }
            final MemoryRecords records = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0,
                sequence[0], recs);
            sequence[0] += recs.length;
            final short version = (short) (i % 2 == 0 ? 9 : 13);
            final ProduceRequestData.TopicProduceDataCollection topics =
                new ProduceRequestData.TopicProduceDataCollection();
            topics.add(new ProduceRequestData.TopicProduceData().setName("alloc").setTopicId(id)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                    .setRecords(records))));
            final ProduceRequest req = ProduceRequest.builder(new ProduceRequestData().setAcks((short) -1)
                .setTimeoutMs(30_000).setTopicData(topics)).build(version);
            c.send(req, version);
            if (++inFlight == 64) {
                for (int k = 0; k < inFlight; k++) {
                    c.readFrame();
                }
                inFlight = 0;
            }
        }
        for (int k = 0; k < inFlight; k++) {
            c.readFrame();
        }
    }
}
