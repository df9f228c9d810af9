package io.zcrx.ingest.broker.security.authz;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.metadata.authorizer.StandardAcl;
import org.apache.kafka.server.authorizer.AclCreateResult;
import org.apache.kafka.server.authorizer.AclDeleteResult;
import org.apache.kafka.server.authorizer.AclDeleteResult.AclBindingDeleteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone mode's ACL set, the job Kafka's controller does ({@code AclControlManager}): CreateAcls validates each
 * binding with the controller's rules (a concrete resource type, LITERAL or PREFIXED, a concrete operation, ALLOW or
 * DENY, a non-empty name; Kafka's broker adds: the cluster resource is named {@code kafka-cluster}), adds what is not
 * there yet under a new id, an existing identical ACL succeeding without a copy; DeleteAcls removes every ACL a
 * filter matches and names them. Each change is written to the {@link AclFile} before the authorizer sees it and the
 * client is answered, so what a client was told is stored survives a crash; a failed write changes nothing and
 * answers KAFKA_STORAGE_ERROR.
 *
 * <p>Thread-safe: changes are serialised on this object.
 */
public final class AclStore {
    private static final Logger LOG = LoggerFactory.getLogger(AclStore.class);

    private final Authorization authorization;
    private final AclFile file;
    private final Map<Uuid, StandardAcl> acls = new LinkedHashMap<>();

    public AclStore(Authorization authorization, AclFile file) {
        this.authorization = authorization;
        this.file = file;
    }

    /** Start: the file's ACLs into the authorizer, which may then decide for everyone. */
    public synchronized void load() throws IOException {
        acls.putAll(file.load());
        authorization.load(new LinkedHashMap<>(acls));
        authorization.completeInitialLoad();
        LOG.info("loaded {} ACL(s) from {}", acls.size(), file.path());
    }

    public synchronized List<AclCreateResult> create(List<AclBinding> bindings, String who) {
        final List<AclCreateResult> results = new ArrayList<>(bindings.size());
        final Map<Uuid, StandardAcl> added = new LinkedHashMap<>();
        final Set<StandardAcl> existing = new HashSet<>(acls.values());
        for (AclBinding b : bindings) {
            final ApiException invalid = validate(b);
            if (invalid != null) {
                results.add(new AclCreateResult(invalid));
                continue;
            }
            final StandardAcl acl = StandardAcl.fromAclBinding(b);
            if (existing.add(acl)) {
                Uuid id;
                do {
                    id = Uuid.randomUuid();
                } while (acls.containsKey(id) || added.containsKey(id));
                added.put(id, acl);
            }
            results.add(AclCreateResult.SUCCESS);
        }
        if (added.isEmpty()) {
            return results;
        }
        final Map<Uuid, StandardAcl> next = new LinkedHashMap<>(acls);
        next.putAll(added);
        if (!store(next, "CreateAcls from " + who)) {
            final List<AclCreateResult> failed = new ArrayList<>(results.size());
            for (AclCreateResult r : results) {
                failed.add(r.exception().isPresent() ? r : new AclCreateResult(storageError()));
            }
            return failed;
        }
        for (Map.Entry<Uuid, StandardAcl> e : added.entrySet()) {
            acls.put(e.getKey(), e.getValue());
            authorization.add(e.getKey(), e.getValue());
            LOG.info("ACL added by {}: {}", who, e.getValue().toBinding());
        }
        return results;
    }

    public synchronized List<AclDeleteResult> delete(List<AclBindingFilter> filters, String who) {
        final List<AclDeleteResult> results = new ArrayList<>(filters.size());
        final Set<Uuid> removed = new HashSet<>();
        for (AclBindingFilter f : filters) {
            if (f.patternFilter().isUnknown()) {
                results.add(new AclDeleteResult(new InvalidRequestException("Unknown patternFilter.")));
                continue;
            }
            if (f.entryFilter().isUnknown()) {
                results.add(new AclDeleteResult(new InvalidRequestException("Unknown entryFilter.")));
                continue;
            }
            final List<AclBindingDeleteResult> matched = new ArrayList<>();
            for (Map.Entry<Uuid, StandardAcl> e : acls.entrySet()) {
                final AclBinding binding = e.getValue().toBinding();
                if (f.matches(binding)) {
                    matched.add(new AclBindingDeleteResult(binding));
                    removed.add(e.getKey());
                }
            }
            results.add(new AclDeleteResult(matched));
        }
        if (removed.isEmpty()) {
            return results;
        }
        final Map<Uuid, StandardAcl> next = new LinkedHashMap<>(acls);
        next.keySet().removeAll(removed);
        if (!store(next, "DeleteAcls from " + who)) {
            final List<AclDeleteResult> failed = new ArrayList<>(results.size());
            for (AclDeleteResult r : results) {
                failed.add(r.exception().isPresent() ? r : new AclDeleteResult(storageError()));
            }
            return failed;
        }
        for (Uuid id : removed) {
            LOG.info("ACL removed by {}: {}", who, acls.remove(id).toBinding());
            authorization.remove(id);
        }
        return results;
    }

    private boolean store(Map<Uuid, StandardAcl> next, String what) {
        try {
            file.write(next);
            return true;
        } catch (IOException e) {
            LOG.error("writing {} failed; {} is not applied", file.path(), what, e);
            return false;
        }
    }

    private static ApiException storageError() {
        return new KafkaStorageException("Could not store the ACLs");
    }

    /** Kafka's checks of a new ACL (AclApis on the broker, AclControlManager.validateNewAcl); null when valid. */
    static ApiException validate(AclBinding b) {
        final ResourceType type = b.pattern().resourceType();
        if (type == ResourceType.CLUSTER && !Resource.CLUSTER_NAME.equals(b.pattern().name())) {
            return new InvalidRequestException("The only valid name for the CLUSTER resource is "
                + Resource.CLUSTER_NAME);
        }
        if (b.pattern().name() == null || b.pattern().name().isEmpty()) {
            return new InvalidRequestException("Invalid empty resource name");
        }
        switch (type) {
            case UNKNOWN, ANY -> {
                return new InvalidRequestException("Invalid resourceType " + type);
            }
            default -> { }
        }
        switch (b.pattern().patternType()) {
            case LITERAL, PREFIXED -> { }
            default -> {
                return new InvalidRequestException("Invalid patternType " + b.pattern().patternType());
            }
        }
        switch (b.entry().operation()) {
            case UNKNOWN, ANY -> {
                return new InvalidRequestException("Invalid operation " + b.entry().operation());
            }
            default -> { }
        }
        switch (b.entry().permissionType()) {
            case ALLOW, DENY -> { }
            default -> {
                return new InvalidRequestException("Invalid permissionType " + b.entry().permissionType());
            }
        }
        return null;
    }
}
