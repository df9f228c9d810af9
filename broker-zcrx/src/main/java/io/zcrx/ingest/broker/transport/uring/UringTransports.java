package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.TransportSettings;

/**
 * Builds the io_uring transports from the broker's validated configuration (the entry point
 * {@code TransportSelector} uses for {@code transport=uring|zcrx} and for {@code auto}).
 */
public final class UringTransports {
    private UringTransports() {
    }

    public static UringSettings uringSettings(BrokerConfig config) {
        return new UringSettings(config.getInt(BrokerConfig.URING_SQ_ENTRIES),
            config.getInt(BrokerConfig.URING_CQ_ENTRIES), config.getInt(BrokerConfig.URING_BUFFER_BYTES),
            config.getInt(BrokerConfig.URING_BUFFER_COUNT));
    }

    public static ZcrxSettings zcrxSettings(BrokerConfig config) {
        return new ZcrxSettings(config.zcrxInterface(), config.zcrxRxQueues(),
            config.getLong(BrokerConfig.ZCRX_AREA_BYTES), config.getInt(BrokerConfig.ZCRX_REFILL_ENTRIES));
    }

    /** Copy-mode io_uring with {@code settings.reactors()} reactors. */
    public static Transport uring(BrokerConfig config, TransportSettings settings, ReactorHandlerFactory factory) {
        return new UringTransport(settings, uringSettings(config), factory);
    }

    /** zcrx with one reactor per {@code zcrx.rx.queues} entry ({@code settings.reactors()} is ignored). */
    public static Transport zcrx(BrokerConfig config, TransportSettings settings, ReactorHandlerFactory factory) {
        return new ZcrxTransport(settings, uringSettings(config), zcrxSettings(config), factory);
    }
}
