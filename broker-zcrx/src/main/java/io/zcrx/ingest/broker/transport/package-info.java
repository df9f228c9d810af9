/**
 * The contract between a transport and the server, independent of how bytes are received: {@code Transport}
 * listens, accepts, receives into memory it owns and sends what connections queue; {@code TransportSettings} is
 * what every transport is configured with; a {@code ReactorHandlerFactory} gives each reactor thread a
 * {@code ReactorHandler}, which makes a {@code ConnectionHandler} per accepted connection; {@code ConnectionIo} and
 * {@code ReactorIo} are what handlers may ask of the transport (send, pause and resume receive, close, run a task
 * on the reactor). Received bytes arrive as {@code protocol.bytes.RxChunk}s and go back when their last reference
 * is released. Handlers are called on their reactor thread; {@code ReactorIo.execute} is the only way in from other
 * threads. {@code ReactorMetrics} is what each reactor publishes for the broker's metrics; {@code ReactorBalancer}
 * picks the reactor of a new connection (the one with the fewest). Depends only on {@code protocol} and
 * {@code metrics}.
 */
package io.zcrx.ingest.broker.transport;
