/**
 * Puts the broker together and runs it: {@code Broker} opens the logs, loads the topics, starts the transport
 * chosen by {@code TransportSelector} and the background threads, and shuts everything down in order;
 * {@code BrokerReactorHandler} is the broker's side of each reactor (connections, idle and slow-sender deadlines,
 * receive-memory reclaim); {@code Connection} frames a connection's bytes; {@code RequestProcessor} dispatches each
 * request by api key, Produce to the zero-copy path and the rest through {@code ControlPlane}. Connections and
 * dispatch run on reactor threads; start and close on the main thread. The top of the layering: it may depend on
 * every other package.
 */
package io.zcrx.ingest.broker.server;
