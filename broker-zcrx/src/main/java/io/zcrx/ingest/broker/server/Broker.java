package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.TransportSelector;
import io.zcrx.ingest.log.LogManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import org.apache.logging.log4j.Logger;

/**
 * One broker process: opens (and recovers) the log directories, loads the topics, starts the
 * chosen transport, and on {@link #close()} shuts down in order: transport first (no new appends;
 * every receive chunk back), then the logs (clean shutdown: trimmed indexes, snapshots, checkpoints,
 * clean-shutdown marker).
 *
 * <p>Thread safety: start and close are called by one thread (main or a test).
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = org.apache.logging.log4j.LogManager.getLogger(Broker.class);

    private final BrokerConfig config;
    private LogManager logs;
    private BrokerContext ctx;
    private Transport transport;
    private TransportSelector.Selection selection;
    private boolean closed;

    public Broker(BrokerConfig config) {
        this.config = config;
    }

    public synchronized void start() throws IOException {
        final long t0 = System.nanoTime();
        logs = LogManager.open(config.logDirs(), config.nodeId(), TopicConfigs.logConfig(config, Collections.emptyMap()),
            config.getInt(BrokerConfig.PRODUCER_ID_EXPIRATION_MS), System::currentTimeMillis);
        try {
            final TopicRegistry topics = new TopicRegistry(config, logs);
            final ProducerIdManager producerIds = new ProducerIdManager(config.logDirs().get(0), logs.largestProducerId());
            ctx = new BrokerContext(config, logs, topics, producerIds, System::currentTimeMillis);
            final ControlPlane controlPlane = new ControlPlane(ctx);
            selection = TransportSelector.select(config,
                (reactorId, reactorIo) -> new BrokerReactorHandler(ctx, controlPlane, reactorId, reactorIo));
            transport = selection.transport();
            ctx.bindPort(transport.localAddress().getPort());
        } catch (IOException | RuntimeException e) {
            try {
                logs.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        LOG.info("transport {} running ({}); {}", transport.name(), transport.describe(), selection.reasons());
        LOG.info("started: listening on {}, advertised as {}:{}, node.id={}, cluster.id={}, log.dirs={}, in {} ms",
            transport.localAddress(), ctx.advertisedHost(), ctx.advertisedPort(), config.nodeId(), ctx.clusterId(),
            config.logDirs(), (System.nanoTime() - t0) / 1_000_000);
    }

    public InetSocketAddress localAddress() {
        return transport.localAddress();
    }

    public Transport transport() {
        return transport;
    }

    public BrokerContext context() {
        return ctx;
    }

    public LogManager logs() {
        return logs;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("shutting down");
        if (transport != null) {
            transport.close();
            if (transport.outstandingChunks() != 0) {
                LOG.error("{} receive chunks still outstanding after the transport stopped", transport.outstandingChunks());
            }
        }
        if (logs != null) {
            try {
                logs.close();
            } catch (IOException e) {
                LOG.error("clean shutdown of the log directories failed; recovery will run at the next start", e);
            }
        }
        LOG.info("shut down");
    }
}
