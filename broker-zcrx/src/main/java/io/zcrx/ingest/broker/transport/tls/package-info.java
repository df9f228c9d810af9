/**
 * TLS for SSL and SASL_SSL listeners, as a layer between a transport and the broker's connection handler that
 * knows nothing of Kafka requests: {@code TlsListener} is one listener's TLS set-up (kafka-clients'
 * {@code SslFactory} over Kafka's {@code ssl.*} settings, the principal builder); {@code TlsReactorHandler}
 * wraps the broker's reactor handler on each reactor and owns that reactor's plaintext receive memory (the
 * "decrypt copy"); {@code TlsConnection} sits between a transport connection and the broker's connection:
 * received ciphertext chunks are unwrapped into plaintext chunks of that memory, which go up as ordinary
 * {@code RxChunk}s and come back when the frames holding them are closed, and the broker's plaintext output
 * queue is wrapped into the transport's outbound queue in bounded steps. docs/design.md "TLS" explains the
 * cost (two memory trips where zcrx has one). Reactor thread only, except {@code TlsListener}.
 */
package io.zcrx.ingest.broker.transport.tls;
