package io.zcrx.ingest.broker.security.authz;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizerNotReadyException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.metadata.authorizer.StandardAcl;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.authorizer.AuthorizationResult;

/**
 * The broker's authorizer, as Kafka's {@code AuthHelper} uses one: either nothing ({@code authorizer.class.name}
 * empty: every check passes, the ACL APIs answer SECURITY_DISABLED) or Kafka's {@code StandardAuthorizer},
 * configured with the broker's settings ({@code super.users}, {@code allow.everyone.if.no.acl.found}, {@code node.id})
 * exactly as Kafka configures it, so the decisions and the audit lines ({@code kafka.authorizer.logger}: denials of
 * requested resources at INFO, grants at DEBUG) are Kafka's own.
 *
 * <p>{@link #version()} counts every change of the ACL set: a cached decision ({@link TopicGrants}) taken at an older
 * version is taken again. The counter is bumped after the authorizer has the change, so a reader that sees the new
 * version also sees the new ACLs.
 *
 * <p>Thread-safe: the authorizer publishes immutable snapshots; ACL changes come from one thread at a time (the
 * standalone store's lock, or the metadata publisher).
 */
public final class Authorization {
    /** The one class {@code authorizer.class.name} accepts (Kafka's KRaft authorizer). */
    public static final String STANDARD_AUTHORIZER = StandardAuthorizer.class.getName();
    /** No authorizer. */
    public static final Authorization NONE = new Authorization(null);

    private final StandardAuthorizer authorizer;
    private final AtomicLong version = new AtomicLong(1);

    private Authorization(StandardAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    /**
     * The authorizer {@code authorizer.class.name} names ({@link #NONE} when empty), configured with {@code settings}
     * (the broker's configuration: Kafka hands its authorizer the whole map). It denies every non-super user until
     * {@link #completeInitialLoad()} (Kafka's AuthorizerNotReadyException), so nothing is served from a partial set.
     *
     * @throws IllegalArgumentException for another class name, or a {@code super.users} entry that is not a principal
     */
    public static Authorization create(String className, Map<String, ?> settings) {
        if (className == null || className.isBlank()) {
            return NONE;
        }
        if (!STANDARD_AUTHORIZER.equals(className.trim())) {
            throw new IllegalArgumentException("authorizer.class.name=" + className + ": only "
                + STANDARD_AUTHORIZER + " (Kafka's standard authorizer) or empty (no authorizer) is supported");
        }
        final StandardAuthorizer a = new StandardAuthorizer();
        a.configure(settings);
        // Kafka 4.x hands its authorizer a plugin-metrics registry (authorize counts by result) and the authorizer
        // needs one; these stay in kafka-clients' in-memory registry (not exported yet).
        a.withPluginMetrics(new PluginMetricsImpl(new Metrics(),
            Map.of("config", "authorizer.class.name", "class", StandardAuthorizer.class.getSimpleName())));
        return new Authorization(a);
    }

    /** True when an authorizer is configured (checks are made, ACL APIs are served). */
    public boolean enabled() {
        return authorizer != null;
    }

    /** The ACL set's version: changes whenever an ACL is added or removed. */
    public long version() {
        return version.get();
    }

    /**
     * Kafka's {@code AuthHelper.authorize}: one literal resource; true without an authorizer.
     *
     * @param logIfAllowed audit the grant (DEBUG): false where the answer only filters or describes
     * @param logIfDenied  audit the denial (INFO): false where the resource was not asked for by name
     */
    public boolean authorize(AuthorizableRequestContext ctx, AclOperation op, ResourceType type, String name,
                             boolean logIfAllowed, boolean logIfDenied) {
        if (authorizer == null) {
            return true;
        }
        final Action action = new Action(op, new ResourcePattern(type, name, PatternType.LITERAL), 1,
            logIfAllowed, logIfDenied);
        try {
            return authorizer.authorize(ctx, Collections.singletonList(action)).get(0) == AuthorizationResult.ALLOWED;
        } catch (AuthorizerNotReadyException e) {
            // Kafka keeps the listeners shut until the first load; a request that still gets here is refused.
            return false;
        }
    }

    /** {@link #authorize} with both audit lines. */
    public boolean authorize(AuthorizableRequestContext ctx, AclOperation op, ResourceType type, String name) {
        return authorize(ctx, op, type, name, true, true);
    }

    /**
     * Kafka's {@code AuthHelper.authorizeByResourceType}: may {@code op} be done on some resource of {@code type}
     * (InitProducerId's "WRITE on any topic"); true without an authorizer.
     */
    public boolean authorizeAny(AuthorizableRequestContext ctx, AclOperation op, ResourceType type) {
        if (authorizer == null) {
            return true;
        }
        try {
            return authorizer.authorizeByResourceType(ctx, op, type) == AuthorizationResult.ALLOWED;
        } catch (AuthorizerNotReadyException e) {
            return false;
        }
    }

    /** The ACLs matching {@code filter} (DescribeAcls). */
    public Iterable<AclBinding> acls(AclBindingFilter filter) {
        return authorizer == null ? List.of() : authorizer.acls(filter);
    }

    /** Replaces the whole ACL set (start, or a metadata snapshot). */
    public void load(Map<Uuid, StandardAcl> acls) {
        authorizer.loadSnapshot(acls);
        version.incrementAndGet();
    }

    public void add(Uuid id, StandardAcl acl) {
        authorizer.addAcl(id, acl);
        version.incrementAndGet();
    }

    public void remove(Uuid id) {
        authorizer.removeAcl(id);
        version.incrementAndGet();
    }

    /** The ACLs are all here: non-super users may now be authorized (before, every check of theirs fails). */
    public void completeInitialLoad() {
        if (authorizer != null) {
            authorizer.completeInitialLoad();
            version.incrementAndGet();
        }
    }
}
