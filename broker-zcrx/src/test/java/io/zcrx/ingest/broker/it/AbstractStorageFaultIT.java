package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.RawClient;
import io.zcrx.ingest.broker.testkit.SegmentReader;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage faults against a real broker, transport-neutral: a log directory on a tiny tmpfs filled to
 * ENOSPC during produce (mounted and removed by the test; needs root and {@code mount}, otherwise
 * skipped with the reason), and log directories that cannot be opened at start.
 */
public abstract class AbstractStorageFaultIT extends TransportSuite {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractStorageFaultIT.class);
    private static final int RECORD_BYTES = 16 * 1024;


    @Test
    void aFullLogDirFailsItsProducersOnlyAndAppendsResumeWhenSpaceReturns() throws Exception {
        // Goal: the full-disk (ENOSPC) run. A full disk answers producers of its partitions
        // KAFKA_STORAGE_ERROR naming ENOSPC; the broker stays up and keeps serving a partition in
        // another log dir and reads of the full one; no partial batch is left in the file; appends
        // resume at the next offset once space is freed. Method: log.dirs = a 4 MiB tmpfs (first, so
        // the first topic lands there) and a normal directory; a filler file leaves ~200 KiB free;
        // raw acks=1 Produce requests of one 16 KiB record until one fails; checks; delete the
        // filler; produce again.
        final Path small = tmp.resolve("small");
        Files.createDirectories(small);
        final String why = mountTmpfs(small, "size=4m");
        Assumptions.assumeTrue(why == null, () -> "tmpfs ENOSPC test skipped: " + why);
        try {
            try (TestBroker b = startBroker("unused",
                    "log.dirs", small + "," + tmp.resolve("big"), "log.index.size.max.bytes", "65536");
                 RawClient c = new RawClient(b.port())) {
                final Uuid full = createTopic(c, "full");
                final Uuid ok = createTopic(c, "ok");
                assertEquals(small, b.broker().logs().partition("full", 0).dir().getParent());
                assertEquals(tmp.resolve("big"), b.broker().logs().partition("ok", 0).dir().getParent());
                final Path filler = small.resolve("filler");
                final long free = Files.getFileStore(small).getUsableSpace();
                Files.write(filler, new byte[(int) (free - 200 * 1024)]);

                int appended = 0;
                ProduceResponseData.PartitionProduceResponse r;
                while (true) {
                    r = produce(c, "full", full, appended);
                    if (r.errorCode() != 0) {
                        break;
                    }
                    assertEquals(appended, r.baseOffset());
                    appended++;
                    assertTrue(appended < 100, "the tmpfs never filled up");
                }
                assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), r.errorCode(), r.toString());
                assertTrue(r.errorMessage().contains("ENOSPC"), r.errorMessage());
                LOG.info("ENOSPC after {} appends of {} bytes: {}", appended, RECORD_BYTES, r.errorMessage());
                // The same answer again while the disk stays full, and nothing moves.
                assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), produce(c, "full", full, appended).errorCode());
                assertEquals(appended, b.broker().logs().partition("full", 0).logEndOffset());

                // The broker is up: another log dir takes writes, the full partition serves reads.
                for (int i = 0; i < 5; i++) {
                    final ProduceResponseData.PartitionProduceResponse o = produce(c, "ok", ok, i);
                    assertEquals(Errors.NONE.code(), o.errorCode());
                    assertEquals(i, o.baseOffset());
                }
                final ApiVersionsResponse av = c.roundTrip(new ApiVersionsRequest.Builder((short) 3), (short) 3);
                assertEquals(Errors.NONE.code(), av.data().errorCode());
                assertEquals(appended, consumeAll(b.bootstrap(), "full"));

                // The files hold exactly the acknowledged batches, each valid (no partial batch).
                final List<SegmentReader.StoredRecord> stored = SegmentReader.read(small, "full", 0);
                assertEquals(appended, stored.size());
                for (int i = 0; i < appended; i++) {
                    assertEquals(i, stored.get(i).offset());
                }
                final String summary = String.format("ENOSPC run (%s): 4 MiB tmpfs, %d x %d-byte batches acknowledged "
                    + "before ENOSPC; answer %s \"%s\"; other log dir and reads kept working", transport(), appended,
                    RECORD_BYTES, Errors.forCode(r.errorCode()), r.errorMessage());

                Files.delete(filler);
                final ProduceResponseData.PartitionProduceResponse resumed = produce(c, "full", full, appended);
                assertEquals(Errors.NONE.code(), resumed.errorCode(), resumed.toString());
                assertEquals(appended, resumed.baseOffset(), "the failed batch left no offset behind");
                assertEquals(appended + 1, SegmentReader.read(small, "full", 0).size());
                b.assertNoLeaks();
                System.out.println(summary + "; after freeing space the next append got offset "
                    + resumed.baseOffset());
                Files.writeString(Path.of("target", getClass().getSimpleName() + "-summary.txt"), summary);
            }
        } finally {
            umount(small);
        }
    }

    @Test
    void aLogDirThatCannotBeOpenedStopsTheBrokerNamingIt() throws Exception {
        // Goal: a log directory that cannot be used at start stops the broker (exit code 1) with a
        // message naming the directory, before it listens. Method: Main in a child JVM with
        // log.dirs = a good directory and a path that is a regular file; then (root only) a read-only
        // tmpfs.
        final Path file = tmp.resolve("not-a-dir");
        Files.writeString(file, "x");
        final String good = tmp.resolve("good").toString();
        assertStartFailsNaming(file, "log.dirs", good + "," + file);
        final Path readOnly = tmp.resolve("ro");
        Files.createDirectories(readOnly);
        if (mountTmpfs(readOnly, "size=1m,ro") == null) {
            try {
                assertStartFailsNaming(readOnly, "log.dirs", good + "," + readOnly);
            } finally {
                umount(readOnly);
            }
        } else {
            LOG.info("read-only log dir case skipped: mount not permitted");
        }
    }

    private void assertStartFailsNaming(Path dir, String... overrides) throws Exception {
        final String[] all = new String[overrides.length + 6];
        System.arraycopy(overrides, 0, all, 0, overrides.length);
        all[overrides.length] = "listeners";
        all[overrides.length + 1] = "PLAINTEXT://127.0.0.1:0";
        all[overrides.length + 2] = "transport";
        all[overrides.length + 3] = transport();
        all[overrides.length + 4] = "num.network.threads";
        all[overrides.length + 5] = "1";
        try (BrokerProcess p = BrokerProcess.spawn(tmp.resolve("bad-" + dir.getFileName() + ".out"), "-Xmx128m", all)) {
            assertEquals(1, p.awaitExit(60_000), p.output());
            final String out = p.output();
            assertTrue(out.contains("broker failed to start") && out.contains(dir.toString()), out);
            assertTrue(!out.contains("started: listening"), out);
        }
    }

    private static Uuid createTopic(RawClient c, String name) throws Exception {
        final MetadataResponse md = c.roundTrip(new MetadataRequest.Builder(new MetadataRequestData()
            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(name)))
            .setAllowAutoTopicCreation(true)), (short) 12);
        assertEquals(Errors.NONE.code(), md.data().topics().iterator().next().errorCode());
        return md.data().topics().iterator().next().topicId();
    }

    private static ProduceResponseData.PartitionProduceResponse produce(RawClient c, String topic, Uuid id, int n)
            throws Exception {
        final byte[] value = new byte[RECORD_BYTES];
        value[0] = (byte) n;
        final ProduceRequestData.TopicProduceDataCollection topics =
            new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(topic).setTopicId(id)
            .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value))))));
        final ProduceResponse r = c.roundTrip(ProduceRequest.builder(new ProduceRequestData().setAcks((short) 1)
            .setTimeoutMs(30_000).setTopicData(topics)), (short) 9);
        return r.data().responses().iterator().next().partitionResponses().get(0);
    }

    private static int consumeAll(String bootstrap, String topic) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            final long end = c.endOffsets(List.of(tp)).get(tp);
            int n = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    assertEquals(n, r.offset());
                    assertEquals((byte) n, r.value()[0]);
                    n++;
                }
            }
            return n;
        }
    }

    /** Mounts a tmpfs with {@code options}; null, or why it could not. */
    static String mountTmpfs(Path mnt, String options) throws IOException, InterruptedException {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
            return "not Linux";
        }
        final Process p;
        try {
            p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
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

    static void umount(Path mnt) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder("umount", mnt.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
