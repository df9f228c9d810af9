package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.ListenerSpec;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.transport.nio.NioTransport;
import io.zcrx.ingest.broker.transport.uring.UringTransports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and starts the transport ({@code transport=auto|zcrx|uring|nio}, docs/design.md, "What it is for"): auto
 * tries zcrx when an interface is configured, then copy-mode io_uring, then NIO, and remembers why
 * each one it skipped could not run; a forced transport that cannot start stops the broker with
 * that reason.
 */
public final class TransportSelector {
    private static final Logger LOG = LoggerFactory.getLogger(TransportSelector.class);

    /** The running transport and one line naming every transport skipped and why. */
    public record Selection(Transport transport, String reasons) {
    }

    private TransportSelector() {
    }

    public static Selection select(BrokerConfig config, ReactorHandlerFactory factory) throws IOException {
        return select(config, factory, null);
    }

    /**
     * As {@link #select(BrokerConfig, ReactorHandlerFactory)}, the transport registering its metrics in
     * {@code metrics}.
     */
    public static Selection select(BrokerConfig config, ReactorHandlerFactory factory, MetricsRegistry metrics)
            throws IOException {
        final String wanted = config.transport();
        final List<String> skipped = new ArrayList<>();
        final List<String> order = new ArrayList<>();
        if (wanted.equals("auto")) {
            if (!config.zcrxInterface().isEmpty()) {
                order.add("zcrx");
            } else {
                skipped.add("zcrx skipped: zcrx.interface is not set");
            }
            order.add("uring");
            order.add("nio");
        } else {
            order.add(wanted);
        }
        for (String name : order) {
            final Transport t;
            try {
                t = create(name, config, factory, metrics);
                t.start();
            } catch (IOException | RuntimeException | LinkageError e) {
                final String reason = name + " unavailable: " + e.getMessage();
                if (!wanted.equals("auto")) {
                    throw new IOException("transport=" + name + " cannot start: " + e.getMessage(), e);
                }
                LOG.debug("transport {} failed to start", name, e);
                skipped.add(reason);
                continue;
            }
            final String reasons = skipped.isEmpty()
                ? "transport=" + wanted
                : "transport=" + wanted + "; " + String.join("; ", skipped);
            return new Selection(t, reasons);
        }
        throw new IOException("no transport could start: " + String.join("; ", skipped));
    }

    /**
     * A listener after the first ({@code listeners}, docs/design.md "Listeners"): zcrx serves only the port
     * the NIC's flow rule steers, the first listener's, so the others run copy-mode io_uring, or NIO where
     * io_uring cannot start (or {@code transport=nio} is forced). Their transports record no transport
     * metrics of their own (the reactor ids would collide with the first listener's).
     */
    public static Selection selectOther(BrokerConfig config, ListenerSpec listener, ReactorHandlerFactory factory)
            throws IOException {
        final List<String> skipped = new ArrayList<>();
        for (String name : config.transport().equals("nio") ? List.of("nio") : List.of("uring", "nio")) {
            final TransportSettings settings = settings(config, listener.bind(), config.numNetworkThreads(), null);
            final Transport t = name.equals("nio")
                ? new NioTransport(settings, config.getInt(BrokerConfig.NIO_BUFFER_BYTES),
                    config.getInt(BrokerConfig.NIO_BUFFER_COUNT), factory)
                : UringTransports.uring(config, settings, factory);
            try {
                t.start();
            } catch (IOException | RuntimeException | LinkageError e) {
                LOG.debug("transport {} failed to start for listener {}", name, listener.name(), e);
                t.close();
                skipped.add(name + " unavailable: " + e.getMessage());
                continue;
            }
            return new Selection(t, skipped.isEmpty() ? "listener " + listener.name()
                : "listener " + listener.name() + "; " + String.join("; ", skipped));
        }
        throw new IOException("listener " + listener.name() + ": no transport could start: "
            + String.join("; ", skipped));
    }

    static TransportSettings settings(BrokerConfig config, int reactors, MetricsRegistry metrics) {
        return settings(config, config.listenAddress(), reactors, metrics);
    }

    static TransportSettings settings(BrokerConfig config, InetSocketAddress bind, int reactors,
                                      MetricsRegistry metrics) {
        return new TransportSettings(bind, reactors,
            config.getInt(BrokerConfig.SOCKET_SEND_BUFFER_BYTES),
            config.getInt(BrokerConfig.SOCKET_RECEIVE_BUFFER_BYTES),
            config.getInt(BrokerConfig.MAX_CONNECTIONS), 64 * 1024, metrics);
    }

    private static Transport create(String name, BrokerConfig config, ReactorHandlerFactory factory,
                                    MetricsRegistry metrics) throws IOException {
        switch (name) {
            case "nio":
                return new NioTransport(settings(config, config.numNetworkThreads(), metrics),
                    config.getInt(BrokerConfig.NIO_BUFFER_BYTES), config.getInt(BrokerConfig.NIO_BUFFER_COUNT),
                    factory);
            case "uring":
                return UringTransports.uring(config, settings(config, config.numNetworkThreads(), metrics), factory);
            case "zcrx":
                return UringTransports.zcrx(config, settings(config, config.zcrxRxQueues().size(), metrics), factory);
            default:
                throw new IllegalArgumentException("unknown transport: transport=" + name);
        }
    }
}
