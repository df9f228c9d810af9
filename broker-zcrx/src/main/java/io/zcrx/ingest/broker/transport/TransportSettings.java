package io.zcrx.ingest.broker.transport;

import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import java.net.InetSocketAddress;

/**
 * Settings every transport shares, filled in by the broker from the validated configuration.
 *
 * @param bindAddress        the listener address ({@code listeners})
 * @param reactors           reactor threads ({@code num.network.threads}; zcrx uses one per rx queue)
 * @param sendBufferBytes    SO_SNDBUF of accepted sockets, -1 = OS default
 * @param receiveBufferBytes SO_RCVBUF of accepted sockets, -1 = OS default
 * @param maxConnections     connections open at once; more are closed right after accept
 * @param outboundBlockBytes size of one outbound block (responses are encoded into these)
 * @param metrics            where the transport registers its metrics (docs/metrics.md), or null to record
 *                           none (transport unit tests)
 */
public record TransportSettings(InetSocketAddress bindAddress, int reactors, int sendBufferBytes,
                                int receiveBufferBytes, int maxConnections, int outboundBlockBytes,
                                MetricsRegistry metrics) {

    public TransportSettings {
        if (reactors < 1 || maxConnections < 1 || outboundBlockBytes < 1024) {
            throw new IllegalArgumentException("transport settings: reactors=" + reactors + ", maxConnections="
                + maxConnections + ", outboundBlockBytes=" + outboundBlockBytes);
        }
    }
}
