package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The transport's own metrics (docs/metrics.md, "The broker's own: transports and reactors"), read
 * the way an operator reads them: over JMX from the platform MBean server, while a real Kafka
 * producer loads the broker. Receive memory in use and chunks outstanding must come back to exactly
 * zero when the load stops (a gauge that stays up is a leak or a stale publication), io_uring's
 * submission and completion meters must advance, idle shares stay within [0, 1], and each gauge
 * must show what the transport's own ledger holds (compared while a partial request pins memory,
 * so the values are not all zero).
 */
public abstract class AbstractTransportMetricsIT extends SharedBrokerSuite {
    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    /** What the transport's own structures hold for a reactor, read on that reactor's thread. */
    protected record Own(long chunks, long bytes, long inUseBytes, long capacityBytes) {
    }

    /** The same four values as the JMX gauges show them, next to the ledger's (what a failed wait reports). */
    private record Compared(Own ledger, Own jmx) {
    }

    /** The receive-memory counters of reactor {@code reactor}, read on its thread from the ledger / pool. */
    protected abstract Own ownCounters(TestBroker b, int reactor) throws Exception;

    /** Whether the transport has an io_uring ring (submission, completion and CQ overflow meters). */
    protected boolean hasRing() {
        return !transport().equals("nio");
    }

    @Test
    void producerLoadMovesTheMetersAndReceiveMemoryComesBackToZero() throws Exception {
        final int reactors = reactorCount();
        assertTrue(reactors >= 1, "a CapacityBytes gauge per reactor is registered");
        final long submittedBefore = sumCounts("Reactor", "Submissions");
        final long completedBefore = sumCounts("Reactor", "Completions");
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong acked = new AtomicLong();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        try (KafkaProducer<byte[], byte[]> producer =
                 new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            final Thread load = new Thread(() -> {
                final byte[] value = new byte[1024];
                while (!stop.get()) {
                    producer.send(new ProducerRecord<>("transport-metrics", value), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            acked.incrementAndGet();
                        }
                    });
                }
            }, "metrics-load");
            load.start();
            try {
                Await.until("records acknowledged under load", () -> acked.get() > 1000 || failure.get() != null);
                if (hasRing()) {
                    Await.until("io_uring submissions and completions advance",
                        () -> sumCounts("Reactor", "Submissions") > submittedBefore
                            && sumCounts("Reactor", "Completions") > completedBefore);
                }
                // The idle share is measured per window of the registry's tick: wait for the first one.
                Await.until("an idle-share window measured on every reactor", () -> {
                    for (int r = 0; r < reactors; r++) {
                        if (value(kafkaIdle(r)) >= 1.0) {
                            return false;
                        }
                    }
                    return true;
                });
                assertIdleSharesInRange(reactors);
                final StringBuilder seen = new StringBuilder(transport()).append(" under load: ").append(acked.get())
                    .append(" records acknowledged; IdlePercent");
                for (int r = 0; r < reactors; r++) {
                    seen.append(" reactor ").append(r).append('=').append(String.format("%.4f", value(kafkaIdle(r))));
                }
                seen.append("; SQEs submitted ").append(sumCounts("Reactor", "Submissions") - submittedBefore)
                    .append(", CQEs reaped ").append(sumCounts("Reactor", "Completions") - completedBefore);
                System.out.println(seen);
                for (int r = 0; r < reactors; r++) {
                    final double capacity = value(own("ReceiveMemory", "CapacityBytes", r));
                    final double inUse = value(own("ReceiveMemory", "InUseBytes", r));
                    assertTrue(capacity > 0 && inUse >= 0 && inUse <= capacity,
                        "reactor " + r + ": in use " + inUse + " of " + capacity + " bytes");
                }
            } finally {
                stop.set(true);
                load.join();
            }
            producer.flush();
            assertNull(failure.get(), "every record was acknowledged");
            // The producer stays connected but sends nothing: every receive chunk must be back.
            for (int r = 0; r < reactors; r++) {
                final int reactor = r;
                Await.until("reactor " + r + ": no receive memory in use or outstanding once the load stopped",
                    Await.DEFAULT_TIMEOUT, () -> List.of(value(own("ReceiveMemory", "OutstandingChunks", reactor)),
                        value(own("ReceiveMemory", "OutstandingBytes", reactor)),
                        value(own("ReceiveMemory", "InUseBytes", reactor))),
                    v -> v.equals(List.of(0.0, 0.0, 0.0)));
            }
        }
        if (!hasRing()) {
            assertTrue(JMX.queryNames(new ObjectName("zcrx:type=Reactor,name=Submissions,*"), null).isEmpty(),
                "NIO has no ring: no submission meter, rather than a fake one");
        }
        if (transport().equals("zcrx")) {
            for (int r = 0; r < reactors; r++) {
                assertTrue(value(own("RefillRing", "Pending", r)) >= 0 && value(own("RefillRing", "Stashed", r)) >= 0,
                    "refill ring gauges of reactor " + r);
            }
        } else {
            assertTrue(JMX.queryNames(new ObjectName("zcrx:type=RefillRing,*"), null).isEmpty(),
                "only zcrx has a refill ring");
        }
    }

    @Test
    void jmxGaugesShowWhatTheLedgerHolds() throws Exception {
        final int reactors = reactorCount();
        // A request whose first bytes arrived but not the rest: the frame assembler keeps its chunk, and
        // with it receive memory, until the request completes or the connection closes.
        try (Socket s = new Socket("127.0.0.1", broker.port())) {
            final OutputStream out = s.getOutputStream();
            out.write(ByteBuffer.allocate(4 + 100).putInt(1000).array());
            out.flush();
            Await.until("the partial request's chunk is outstanding", () -> {
                double chunks = 0;
                for (int r = 0; r < reactors; r++) {
                    chunks += value(own("ReceiveMemory", "OutstandingChunks", r));
                }
                return chunks > 0;
            });
            for (int r = 0; r < reactors; r++) {
                final int reactor = r;
                // Both sides are read at different moments; nothing moves now, so they must agree.
                Await.until("reactor " + r + ": JMX gauges equal the ledger's counters", Await.DEFAULT_TIMEOUT,
                    () -> new Compared(ownCounters(broker, reactor),
                        new Own((long) value(own("ReceiveMemory", "OutstandingChunks", reactor)),
                            (long) value(own("ReceiveMemory", "OutstandingBytes", reactor)),
                            (long) value(own("ReceiveMemory", "InUseBytes", reactor)),
                            (long) value(own("ReceiveMemory", "CapacityBytes", reactor)))),
                    c -> c.ledger().equals(c.jmx()));
            }
        }
        for (int r = 0; r < reactors; r++) {
            final int reactor = r;
            Await.until("reactor " + r + ": the chunk comes back when the connection closes", Await.DEFAULT_TIMEOUT,
                () -> new Compared(ownCounters(broker, reactor), new Own(
                    (long) value(own("ReceiveMemory", "OutstandingChunks", reactor)), 0, 0, 0)),
                c -> c.ledger().chunks() == 0 && c.jmx().chunks() == 0);
        }
    }

    private void assertIdleSharesInRange(int reactors) throws Exception {
        for (int r = 0; r < reactors; r++) {
            final double idle = value(kafkaIdle(r));
            assertTrue(idle >= 0.0 && idle <= 1.0, "IdlePercent of reactor " + r + " in [0, 1]: " + idle);
            final double busy = value(own("Reactor", "BusyShare", r));
            assertTrue(busy >= 0.0 && busy <= 1.0, "BusyShare of reactor " + r + " in [0, 1]: " + busy);
        }
        final double average = value(new ObjectName(
            "kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent"));
        assertTrue(average >= 0.0 && average <= 1.0, "NetworkProcessorAvgIdlePercent in [0, 1]: " + average);
    }

    private int reactorCount() throws Exception {
        final Set<ObjectName> names = JMX.queryNames(new ObjectName(
            "zcrx:type=ReceiveMemory,name=CapacityBytes,transport=" + transport() + ",*"), null);
        return names.size();
    }

    private ObjectName own(String type, String name, int reactor) {
        try {
            return new ObjectName("zcrx:type=" + type + ",name=" + name + ",transport=" + transport() + ",reactor="
                + reactor);
        } catch (JMException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ObjectName kafkaIdle(int reactor) {
        try {
            return new ObjectName("kafka.network:type=Processor,name=IdlePercent,networkProcessor=" + reactor);
        } catch (JMException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static double value(ObjectName name) {
        try {
            return ((Number) JMX.getAttribute(name, "Value")).doubleValue();
        } catch (JMException e) {
            throw new AssertionError("cannot read " + name + " over JMX", e);
        }
    }

    private long sumCounts(String type, String name) {
        long sum = 0;
        try {
            for (ObjectName n : JMX.queryNames(new ObjectName("zcrx:type=" + type + ",name=" + name + ",transport="
                    + transport() + ",*"), null)) {
                sum += ((Number) JMX.getAttribute(n, "Count")).longValue();
            }
        } catch (JMException e) {
            throw new AssertionError("cannot read " + type + "/" + name + " over JMX", e);
        }
        return sum;
    }
}
