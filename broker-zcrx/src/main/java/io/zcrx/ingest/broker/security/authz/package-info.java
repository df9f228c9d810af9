/**
 * Authorization (docs/design.md, "Authorization"): Kafka's own {@code StandardAuthorizer} (kafka-metadata) decides,
 * with Kafka's semantics ({@code super.users}, {@code allow.everyone.if.no.acl.found}, literal and prefixed
 * patterns, DENY before ALLOW) and writes Kafka's audit lines on the logger {@code kafka.authorizer.logger}.
 * {@link io.zcrx.ingest.broker.security.authz.Authorization} wraps it (or nothing, without
 * {@code authorizer.class.name}) and counts ACL changes, so {@link io.zcrx.ingest.broker.security.authz.TopicGrants}
 * can cache a connection's Produce decisions; {@link io.zcrx.ingest.broker.security.authz.AclStore} is the
 * standalone ACL set, kept in {@link io.zcrx.ingest.broker.security.authz.AclFile}; in cluster mode the metadata
 * log's ACL records feed the authorizer.
 *
 * <p>May use: {@code config}, {@code runtime}, {@code log-store} (atomic files), kafka-clients, kafka-metadata.
 * Used by {@code request} (the principal and the checks of a request), the handlers and the lifecycle.
 */
package io.zcrx.ingest.broker.security.authz;
