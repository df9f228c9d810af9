package io.zcrx.ingest.perf.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * The few control-plane requests a producer makes before it produces
 * (docs/kafka-protocol-notes.md#what-a-producer-sends-before-it-produces), one at a time on a blocking socket,
 * encoded and parsed by kafka-clients' own classes: ApiVersions, Metadata (creating the topic through
 * auto-creation, as the Java producer does), and InitProducerId for an idempotent producer. The firehose runs them
 * on each of its connections before switching it to non-blocking, pipelined Produce requests.
 *
 * <p>Owns nothing but the socket it is given; not thread-safe.
 */
public final class ControlClient {
    private final SocketChannel channel;
    private final String clientId;
    private int nextCorrelationId;
    private Map<Short, Short> maxVersions = Map.of();

    public ControlClient(SocketChannel channel, String clientId, int firstCorrelationId) {
        this.channel = channel;
        this.clientId = clientId;
        this.nextCorrelationId = firstCorrelationId;
    }

    /** Opens a blocking loopback-or-remote connection with TCP_NODELAY (as Kafka clients set it). */
    public static SocketChannel connect(InetSocketAddress address) throws IOException {
        final SocketChannel ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.connect(address);
        return ch;
    }

    /** The correlation id the next request on this connection should use. */
    public int nextCorrelationId() {
        return nextCorrelationId;
    }

    /** ApiVersions v3 (every broker we target supports it); remembers each api's highest version. */
    public Map<Short, Short> apiVersions() throws IOException {
        final ApiVersionsResponse r = (ApiVersionsResponse) roundTrip(new ApiVersionsRequest.Builder(), (short) 3);
        final Errors error = Errors.forCode(r.data().errorCode());
        if (error != Errors.NONE) {
            throw new IOException("ApiVersions failed: error=" + error);
        }
        final Map<Short, Short> m = new HashMap<>();
        for (ApiVersionsResponseData.ApiVersion v : r.data().apiKeys()) {
            m.put(v.apiKey(), v.maxVersion());
        }
        maxVersions = m;
        return m;
    }

    /** Highest version of {@code key} that both the broker and kafka-clients 4.3.1 know, capped at {@code cap}. */
    public short version(ApiKeys key, short cap) {
        final Short broker = maxVersions.get(key.id);
        if (broker == null) {
            throw new IllegalStateException("broker does not advertise api: key=" + key + ", advertised="
                + maxVersions.keySet());
        }
        return (short) Math.min(Math.min(broker, cap), key.latestVersion());
    }

    /** What Metadata says about one topic. */
    public record TopicInfo(Errors error, Uuid topicId, int partitionCount, boolean allLeadersKnown) {
    }

    /** Metadata for {@code topic}, asking the broker to create it if it does not exist. */
    public TopicInfo metadata(String topic) throws IOException {
        final short v = version(ApiKeys.METADATA, (short) 12);
        final MetadataResponse r = (MetadataResponse) roundTrip(
            new MetadataRequest.Builder(List.of(topic), true, v, v), v);
        for (MetadataResponseData.MetadataResponseTopic t : r.data().topics()) {
            if (topic.equals(t.name())) {
                boolean leaders = !t.partitions().isEmpty();
                for (MetadataResponseData.MetadataResponsePartition p : t.partitions()) {
                    leaders &= p.leaderId() >= 0 && p.errorCode() == 0;
                }
                return new TopicInfo(Errors.forCode(t.errorCode()), t.topicId(), t.partitions().size(), leaders);
            }
        }
        return new TopicInfo(Errors.UNKNOWN_TOPIC_OR_PARTITION, Uuid.ZERO_UUID, 0, false);
    }

    /** Repeats Metadata until the topic exists with a leader for each of its partitions. */
    public TopicInfo awaitTopic(String topic, long timeoutMs) throws IOException, InterruptedException {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        TopicInfo info;
        while (true) {
            info = metadata(topic);
            if (info.error() == Errors.NONE && info.allLeadersKnown()) {
                return info;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("topic not ready: topic=" + topic + ", error=" + info.error() + ", partitions="
                    + info.partitionCount() + ", timeoutMs=" + timeoutMs);
            }
            Thread.sleep(100);
        }
    }

    /** A producer id and epoch for a non-transactional idempotent producer. */
    public record ProducerIdAndEpoch(long producerId, short epoch) {
    }

    /**
     * InitProducerId, retried while the broker says its coordinator is still loading (a fresh Kafka
     * answers COORDINATOR_LOAD_IN_PROGRESS for a moment after start-up; the Java client retries too).
     */
    public ProducerIdAndEpoch initProducerId(long timeoutMs) throws IOException, InterruptedException {
        final short v = version(ApiKeys.INIT_PRODUCER_ID, (short) 5);
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            final InitProducerIdRequestData request = new InitProducerIdRequestData().setTransactionalId(null)
                .setTransactionTimeoutMs(Integer.MAX_VALUE);
            final InitProducerIdResponse r =
                (InitProducerIdResponse) roundTrip(new InitProducerIdRequest.Builder(request), v);
            final Errors error = Errors.forCode(r.data().errorCode());
            if (error == Errors.NONE && r.data().producerId() >= 0) {
                return new ProducerIdAndEpoch(r.data().producerId(), r.data().producerEpoch());
            }
            final boolean retriable = error == Errors.COORDINATOR_LOAD_IN_PROGRESS
                || error == Errors.COORDINATOR_NOT_AVAILABLE || error == Errors.NOT_COORDINATOR;
            if (!retriable || System.currentTimeMillis() > deadline) {
                throw new IOException("InitProducerId failed: error=" + error + ", producerId=" + r.data().producerId()
                    + ", timeoutMs=" + timeoutMs);
            }
            Thread.sleep(100);
        }
    }

    private AbstractResponse roundTrip(AbstractRequest.Builder<?> builder, short version) throws IOException {
        final RequestHeader header = new RequestHeader(builder.apiKey(), version, clientId, nextCorrelationId++);
        final ByteBuffer body = builder.build(version).serializeWithHeader(header);
        final ByteBuffer size = ByteBuffer.allocate(4).putInt(0, body.remaining());
        while (size.hasRemaining() || body.hasRemaining()) {
            channel.write(new ByteBuffer[] {size, body});
        }
        final ByteBuffer responseSize = ByteBuffer.allocate(4);
        readFully(responseSize);
        final int n = responseSize.getInt(0);
        if (n < 4 || n > (64 << 20)) {
            throw new IOException("response size out of range: size=" + n + ", api=" + builder.apiKey());
        }
        final ByteBuffer response = ByteBuffer.allocate(n);
        readFully(response);
        response.flip();
        return AbstractResponse.parseResponse(response, header);
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new IOException("connection closed by the broker: expected=" + b.limit() + ", got="
                    + b.position());
            }
        }
    }
}
