package io.zcrx.ingest.broker.transport;

/** Made by the broker, given to a transport; called once on each reactor thread as it starts. */
@FunctionalInterface
public interface ReactorHandlerFactory {

    /**
     * @param reactorId 0-based index of the reactor
     * @param reactor   the reactor's thread-safe task door
     */
    ReactorHandler newReactorHandler(int reactorId, ReactorIo reactor);
}
