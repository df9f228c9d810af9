/**
 * Authentication of client connections (docs/design.md, "Connections and authentication"): the SASL
 * settings of each listener ({@link io.zcrx.ingest.broker.security.SaslListener}), the per-connection
 * SASL state machine with KIP-368 re-authentication ({@link io.zcrx.ingest.broker.security.SaslSession}), and the
 * SCRAM credentials ({@link io.zcrx.ingest.broker.security.ScramCredentials}; standalone mode keeps them in
 * {@link io.zcrx.ingest.broker.security.ScramCredentialFile}, cluster mode takes them from the metadata log).
 * The SASL mechanisms themselves are kafka-clients' own {@code SaslServer}s (PLAIN, SCRAM-SHA-256/512).
 *
 * <p>May use: {@code config}, {@code metrics}, {@code runtime}, {@code log-store} (atomic files), kafka-clients.
 * Never {@code server}, {@code handler} or {@code cluster}: they use this package. TLS and the authorizer (later
 * slices) attach here: a listener's security protocol, and the principal a session holds.
 */
package io.zcrx.ingest.broker.security;
