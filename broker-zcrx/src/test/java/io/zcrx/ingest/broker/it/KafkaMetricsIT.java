package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.ChildJvm;
import io.zcrx.ingest.broker.testkit.RawClient;
import io.zcrx.ingest.broker.testkit.SegmentReader;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Kafka's metrics as an operator reads them: the broker runs as its own process with remote JMX
 * switched on the way Kafka's scripts do it ({@code com.sun.management.jmxremote.*}, loopback,
 * no authentication), and Kafka's own {@code JmxTool} connects over the network and reads Kafka's
 * object names. The counts must match what landed in the segment files exactly.
 */
class KafkaMetricsIT {
    private static final String TOPIC = "jmx-metrics";
    private static final int RECORDS = 1000;
    private static final String BYTES_IN = "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec";
    private static final String MESSAGES_IN = "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec";
    private static final String TOTAL_PRODUCE = "kafka.server:type=BrokerTopicMetrics,name=TotalProduceRequestsPerSec";
    private static final String FAILED_PRODUCE =
        "kafka.server:type=BrokerTopicMetrics,name=FailedProduceRequestsPerSec";
    private static final String PER_TOPIC = ",topic=" + TOPIC;

    @Test
    void jmxToolReadsKafkasNamesOverRemoteJmxAndTheCountsMatchTheLog() throws Exception {
        // Goal: BytesInPerSec / MessagesInPerSec (all topics and per topic), Produce request counts,
        // RequestMetrics times, ReplicaManager and Log gauges, BrokerState and the per-listener
        // connection count, read by JmxTool over a remote JMX connector, agree with the log.
        // Method: 1000 records from the Java producer (100-byte values, 4 KiB batches); the expected
        // bytes are the sizes of the batches in the segment file, read with Kafka's FileRecords.
        final Path dir = Files.createTempDirectory("zcrx-jmx");
        final int jmxPort = BrokerProcess.freePort();
        final Path logs = dir.resolve("logs");
        final List<String> jvm = List.of("-Xmx384m",
            "-Dcom.sun.management.jmxremote.port=" + jmxPort,
            "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
            "-Dcom.sun.management.jmxremote.host=127.0.0.1",
            "-Djava.rmi.server.hostname=127.0.0.1",
            "-Dcom.sun.management.jmxremote.authenticate=false",
            "-Dcom.sun.management.jmxremote.ssl=false");
        try (BrokerProcess b = BrokerProcess.spawn(dir.resolve("broker.out"), jvm,
                "listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", logs.toString(), "transport", "nio",
                "num.network.threads", "1", "num.partitions", "1", "log.status.interval.ms", "1000")) {
            final int port = b.awaitStarted(60_000);
            produce(port);

            final long[] stored = storedBatches(logs);
            final long storedBytes = stored[0];
            final long storedRecords = stored[1];
            assertEquals(RECORDS, storedRecords, "records in the segment file");

            final Map<String, Double> m = jmxTool(jmxPort, "Count", BYTES_IN, BYTES_IN + PER_TOPIC, MESSAGES_IN,
                MESSAGES_IN + PER_TOPIC, TOTAL_PRODUCE + PER_TOPIC, FAILED_PRODUCE + PER_TOPIC,
                "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,*");
            assertEquals(storedBytes, m.get(BYTES_IN + ":Count").longValue(), "all-topics BytesInPerSec: " + m);
            assertEquals(storedBytes, m.get(BYTES_IN + PER_TOPIC + ":Count").longValue(), "topic BytesInPerSec");
            assertEquals(RECORDS, m.get(MESSAGES_IN + ":Count").longValue(), "all-topics MessagesInPerSec");
            assertEquals(RECORDS, m.get(MESSAGES_IN + PER_TOPIC + ":Count").longValue(), "topic MessagesInPerSec");
            assertEquals(0L, m.get(FAILED_PRODUCE + PER_TOPIC + ":Count").longValue(), "FailedProduceRequestsPerSec");
            // One partition per request: the topic's partition count of requests is the Produce request count.
            final long produceRequests = m.get(TOTAL_PRODUCE + PER_TOPIC + ":Count").longValue();
            assertTrue(produceRequests > 0, "TotalProduceRequestsPerSec: " + m);
            long byVersion = 0;
            for (Map.Entry<String, Double> e : m.entrySet()) {
                if (e.getKey().contains("name=RequestsPerSec,request=Produce,version=")) {
                    byVersion += e.getValue().longValue();
                }
            }
            assertEquals(produceRequests, byVersion, "RequestsPerSec{request=Produce} summed over versions: " + m);

            // Gauges against the log itself.
            final String size = "kafka.log:type=Log,name=Size,topic=" + TOPIC + ",partition=0";
            final String end = "kafka.log:type=Log,name=LogEndOffset,topic=" + TOPIC + ",partition=0";
            final String segments = "kafka.log:type=Log,name=NumLogSegments,topic=" + TOPIC + ",partition=0";
            final String partitions = "kafka.server:type=ReplicaManager,name=PartitionCount";
            final String state = "kafka.server:type=KafkaServer,name=BrokerState";
            final Map<String, Double> g = jmxTool(jmxPort, "Value", size, end, segments, partitions, state);
            assertEquals(Files.size(SegmentReader.segments(logs, TOPIC, 0).get(0)), g.get(size + ":Value").longValue(),
                "Log Size: " + g);
            assertEquals(storedBytes, g.get(size + ":Value").longValue(), "Log Size is the batches' bytes");
            assertEquals(RECORDS, g.get(end + ":Value").longValue(), "LogEndOffset");
            assertEquals(1L, g.get(segments + ":Value").longValue(), "NumLogSegments");
            assertEquals(1L, g.get(partitions + ":Value").longValue(), "PartitionCount");
            assertEquals(3L, g.get(state + ":Value").longValue(), "BrokerState RUNNING");

            // Percentiles appear at the registry's next tick (every 5 s).
            final String total = "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce";
            final String local = "kafka.network:type=RequestMetrics,name=LocalTimeMs,request=Produce";
            final Map<String, Double> t = Await.until("Produce TotalTimeMs percentiles", Duration.ofSeconds(30),
                () -> jmxTool(jmxPort, "Count,99thPercentile,Max", total, local),
                r -> r.getOrDefault(total + ":99thPercentile", 0.0) > 0);
            assertEquals(produceRequests, t.get(total + ":Count").longValue(), "TotalTimeMs counts every Produce");
            assertTrue(t.get(local + ":Max") > 0, "LocalTimeMs: " + t);
            assertTrue(t.get(total + ":Max") >= t.get(local + ":Max"), "total time includes local time: " + t);

            // Kafka Metrics style: an attribute of the per-listener, per-network-thread MBean.
            final String connections = "kafka.server:type=socket-server-metrics,listener=PLAINTEXT,networkProcessor=0";
            try (RawClient ignored = new RawClient(port)) {
                Await.until("connection-count 1 with one client connected", Duration.ofSeconds(30),
                    () -> jmxTool(jmxPort, "connection-count", connections),
                    r -> r.getOrDefault(connections + ":connection-count", -1.0) == 1.0);
            }

            final String status = Await.until("the status line", Duration.ofSeconds(30), b::output,
                o -> o.contains("status: in "));
            assertTrue(status.contains(" req/s, produce p99 "), status);
            final int exit = b.stop();
            // The JVM exits with 128 + SIGTERM after running the shutdown hook.
            assertTrue(exit == 0 || exit == 143, "exit code after SIGTERM: " + exit);
            assertTrue(b.output().contains("shut down"), "no clean shutdown logged:\n" + b.output());
        } finally {
            TestBroker.deleteRecursively(dir);
        }
    }

    private static void produce(int port) throws Exception {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "4096");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, new byte[100]));
            }
            producer.flush();
        }
    }

    /** {bytes, records} of the batches in the partition's segment files, read with Kafka's FileRecords. */
    private static long[] storedBatches(Path logs) throws IOException {
        long bytes = 0;
        long records = 0;
        for (Path seg : SegmentReader.segments(logs, TOPIC, 0)) {
            // Only the channel is closed: FileRecords.close() would trim the broker's file.
            final FileRecords fr = FileRecords.open(seg.toFile(), false);
            try (FileChannel ignored = fr.channel()) {
                for (FileChannelRecordBatch batch : fr.batches()) {
                    bytes += batch.sizeInBytes();
                    records += batch.nextOffset() - batch.baseOffset();
                }
            }
        }
        return new long[] {bytes, records};
    }

    /**
     * Runs {@code org.apache.kafka.tools.JmxTool --one-time} in its own JVM against the broker's
     * remote JMX port; returns "objectName:attribute" to value from its CSV report.
     */
    private static Map<String, Double> jmxTool(int jmxPort, String attributes, String... objectNames)
            throws IOException, InterruptedException {
        final List<String> args = new ArrayList<>(List.of("--jmx-url",
            "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi", "--one-time", "true",
            "--report-format", "csv", "--attributes", attributes));
        for (String o : objectNames) {
            args.add("--object-name");
            args.add(o);
        }
        final ChildJvm.Result r = ChildJvm.run(120, "org.apache.kafka.tools.JmxTool", args.toArray(new String[0]));
        assertEquals(0, r.exitCode(), "JmxTool failed:\n" + r.output());
        // One-time CSV: one line per value, objectName:attribute,"value" (and time,"millis").
        final Map<String, Double> out = new LinkedHashMap<>();
        for (String line : r.output().split("\n")) {
            final int comma = line.lastIndexOf(",\"");
            if (comma > 0 && line.endsWith("\"") && !line.startsWith("time,")) {
                out.put(line.substring(0, comma), Double.parseDouble(line.substring(comma + 2, line.length() - 1)));
            }
        }
        assertTrue(!out.isEmpty(), "JmxTool printed no values:\n" + r.output());
        return out;
    }
}
