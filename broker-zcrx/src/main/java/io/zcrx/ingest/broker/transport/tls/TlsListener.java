package io.zcrx.ingest.broker.transport.tls;

import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLEngine;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;
import org.apache.kafka.common.network.ConnectionMode;
import org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder;
import org.apache.kafka.common.security.ssl.SslFactory;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

/**
 * The TLS set-up of one SSL or SASL_SSL listener, built once at start: kafka-clients' {@link SslFactory} in server
 * mode over the listener's resolved {@code ssl.*} settings (keystore and truststore in PKCS12, JKS or PEM, inline
 * PEM, {@code ssl.client.auth}, protocols, cipher suites, {@code ssl.engine.factory.class}), and Kafka's
 * {@link DefaultKafkaPrincipalBuilder} with the listener's {@code ssl.principal.mapping.rules}.
 *
 * <p>Why kafka-clients' factory rather than our own keystore loading: it is what every Kafka broker runs, so the
 * settings mean exactly what they mean there (store types, PEM parsing of encrypted PKCS#8 keys, key password
 * fallbacks, the JDK's default protocols and the TLSv1.3/TLSv1.2 defaults of {@code ssl.enabled.protocols}); it
 * validates the stores at start with errors that name the setting; and it never logs key material. It only
 * builds engines: the record layer is the JDK's {@link SSLEngine}, driven by {@link TlsConnection}.
 *
 * <p>Thread-safe: engines are made on the reactor threads; counters are adders; the reactors register here so the
 * plaintext memory they hold can be read from any thread.
 */
public final class TlsListener implements AutoCloseable {
    private static final int MIN_BUFFER_BYTES = 64 * 1024;
    private final String name;
    private final SslFactory factory;
    private final DefaultKafkaPrincipalBuilder principalBuilder;
    private final String clientAuth;
    private final long handshakeTimeoutNs;
    private final int bufferBytes;
    private final int bufferCount;
    private final List<TlsReactorHandler> reactors = new CopyOnWriteArrayList<>();
    final LongAdder handshakes = new LongAdder();
    final LongAdder handshakeFailures = new LongAdder();

    /**
     * @param name               the listener's name (log lines, Kafka's {@code listenerName} of the principal
     *                           builder's context)
     * @param sslConfigs         the listener's {@code ssl.*} settings, typed as Kafka's ConfigDef parses them
     * @param handshakeTimeoutMs the longest a handshake may take ({@code connection.request.receive.timeout.ms}:
     *                           a handshake is bounded like a request)
     * @param bufferBytes        plaintext receive memory per reactor: buffer size ({@code nio.buffer.bytes}, at
     *                           least 64 KiB: a buffer holds whole records)
     * @param bufferCount        ... and count ({@code nio.buffer.count})
     * @throws org.apache.kafka.common.KafkaException naming the setting when a store cannot be loaded
     */
    public TlsListener(String name, Map<String, ?> sslConfigs, long handshakeTimeoutMs, int bufferBytes,
                       int bufferCount) {
        this.name = name;
        this.factory = new SslFactory(ConnectionMode.SERVER, null, false);
        factory.configure(sslConfigs);
        this.principalBuilder = new DefaultKafkaPrincipalBuilder(null, SslPrincipalMapper.fromRules(
            (String) sslConfigs.get(BrokerSecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES_CONFIG)));
        this.clientAuth = String.valueOf(sslConfigs.get(BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG));
        this.handshakeTimeoutNs = TimeUnit.MILLISECONDS.toNanos(handshakeTimeoutMs);
        // A buffer must hold at least one record's plaintext (about 16 KiB); 64 KiB wastes little at its end.
        this.bufferBytes = Math.max(bufferBytes, MIN_BUFFER_BYTES);
        this.bufferCount = bufferCount;
    }

    public String name() {
        return name;
    }

    /** The broker's handler factory with this listener's TLS layer in front of every connection. */
    public ReactorHandlerFactory wrap(ReactorHandlerFactory inner) {
        return (reactorId, reactorIo) -> {
            final TlsReactorHandler h = new TlsReactorHandler(this, reactorId, reactorIo);
            h.attach(inner.newReactorHandler(reactorId, h));
            reactors.add(h);
            return h;
        };
    }

    SSLEngine newEngine(String peerHost, int peerPort) {
        return factory.createSslEngine(peerHost, peerPort);
    }

    DefaultKafkaPrincipalBuilder principalBuilder() {
        return principalBuilder;
    }

    long handshakeTimeoutNs() {
        return handshakeTimeoutNs;
    }

    int bufferBytes() {
        return bufferBytes;
    }

    int bufferCount() {
        return bufferCount;
    }

    /** Decrypted chunks handed to connections and not yet given back, over all reactors (published ~10/s). */
    public long outstandingChunks() {
        long n = 0;
        for (TlsReactorHandler r : reactors) {
            n += r.publishedChunks;
        }
        return n;
    }

    /** Bytes of those chunks. */
    public long outstandingBytes() {
        long n = 0;
        for (TlsReactorHandler r : reactors) {
            n += r.publishedBytes;
        }
        return n;
    }

    /** Handshakes completed since start. */
    public long handshakes() {
        return handshakes.sum();
    }

    /** Handshakes that failed (bad certificate, protocol mismatch, not TLS at all, timeout). */
    public long handshakeFailures() {
        return handshakeFailures.sum();
    }

    /** One line for the start-up log (no secrets). */
    public String describe() {
        return "TLS ssl.client.auth=" + clientAuth + ", decrypt memory " + bufferCount + " x " + (bufferBytes / 1024)
            + " KiB per reactor";
    }

    @Override
    public void close() {
        factory.close();
    }
}
