package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * IncrementalAlterConfigs, v0-v1 ({@code kafka-configs --alter --add-config/--delete-config}, Admin
 * {@code incrementalAlterConfigs}), per resource as Kafka's {@code ConfigAdminManager} answers it. Standalone: a
 * TOPIC's overrides ({@link ConfigAlterations}, persisted and applied live) and the BROKER's dynamic settings (name
 * "" the cluster default, this node's id its own layer; read-only keys INVALID_REQUEST); {@code validateOnly} checks
 * without changing. Cluster mode, as Kafka's brokers ({@code ConfigAdminManager.preprocess}, then forwarding): a
 * BROKER resource is checked here first (its name "" or this node's id, the operations applied to the layer the
 * metadata log holds, the result {@link io.zcrx.ingest.broker.config.DynamicBrokerConfig#check}ed; a failure is
 * INVALID_REQUEST, as Kafka's), then the TOPIC and BROKER resources go to the controller
 * ({@link ForwardToController}), which stores them as ConfigRecords: the new settings reach every broker through
 * the metadata log. Other resource types are refused here, alone. A resource named twice is INVALID_REQUEST, both
 * times.
 *
 * <p>Thread-safe (stateless).
 */
public final class IncrementalAlterConfigsHandler {
    private final BrokerContext ctx;

    public IncrementalAlterConfigsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public void handle(RequestContext req, IncrementalAlterConfigsRequestData data) {
        final Set<String> duplicated = duplicates(data);
        if (ctx.clusterMode()) {
            forward(req, data, duplicated);
            return;
        }
        final IncrementalAlterConfigsResponseData resp = new IncrementalAlterConfigsResponseData().setThrottleTimeMs(0);
        for (AlterConfigsResource r : data.resources()) {
            final Errors denied = denial(req, r);
            resp.responses().add(answer(r, denied != Errors.NONE ? ConfigAlterations.Outcome.of(denied, null)
                : alter(r, duplicated, data.validateOnly())));
        }
        req.respond(resp);
    }

    private ConfigAlterations.Outcome alter(AlterConfigsResource r, Set<String> duplicated, boolean validateOnly) {
        if (duplicated.contains(key(r))) {
            return ConfigAlterations.Outcome.of(Errors.INVALID_REQUEST, "Error due to duplicate resources");
        }
        final ConfigResource.Type type = ConfigResource.Type.forId(r.resourceType());
        final List<ConfigAlterations.Change> changes = new ArrayList<>();
        for (AlterableConfig c : r.configs()) {
            changes.add(new ConfigAlterations.Change(c.name(), c.configOperation(), c.value()));
        }
        return ConfigAlterations.alterIncrementally(ctx, type, r.resourceName(), changes, validateOnly);
    }

    /**
     * Cluster mode: TOPIC and checked BROKER resources to the controller, the others refused here; nothing to
     * forward, answered now.
     */
    private void forward(RequestContext req, IncrementalAlterConfigsRequestData data, Set<String> duplicated) {
        final IncrementalAlterConfigsRequestData forwarded = new IncrementalAlterConfigsRequestData()
            .setValidateOnly(data.validateOnly());
        final List<AlterConfigsResourceResponse> refused = new ArrayList<>();
        for (AlterConfigsResource r : data.resources()) {
            final ConfigResource.Type type = ConfigResource.Type.forId(r.resourceType());
            final Errors denied = denial(req, r);
            if (duplicated.contains(key(r))) {
                refused.add(answer(r, ConfigAlterations.Outcome.of(Errors.INVALID_REQUEST,
                    "Error due to duplicate resources")));
            } else if (denied != Errors.NONE) {
                refused.add(answer(r, ConfigAlterations.Outcome.of(denied, null)));
            } else if (type == ConfigResource.Type.TOPIC) {
                forwarded.resources().add(r.duplicate());
            } else if (type == ConfigResource.Type.BROKER) {
                final ConfigAlterations.Outcome bad = checkBroker(r);
                if (bad == null) {
                    forwarded.resources().add(r.duplicate());
                } else {
                    refused.add(answer(r, bad));
                }
            } else {
                refused.add(answer(r, ConfigAlterations.Outcome.of(Errors.INVALID_REQUEST,
                    "IncrementalAlterConfigs is only supported for topics and brokers on this broker, but resource "
                        + "type is " + type)));
            }
        }
        if (forwarded.resources().isEmpty()) {
            req.respond(new IncrementalAlterConfigsResponseData().setThrottleTimeMs(0).setResponses(refused));
            return;
        }
        ForwardToController.forward(ctx, req,
            new IncrementalAlterConfigsRequest.Builder(forwarded).build(req.version()),
            answer -> ((IncrementalAlterConfigsResponseData) answer).responses().addAll(refused));
    }

    /** Cluster mode: why a BROKER resource's change is not forwarded, or null (Kafka's preprocessing). */
    private ConfigAlterations.Outcome checkBroker(AlterConfigsResource r) {
        final ConfigAlterations.Outcome bad = ConfigAlterations.checkResource(ctx, ConfigResource.Type.BROKER,
            r.resourceName());
        if (bad != null) {
            return bad;
        }
        final List<ConfigAlterations.Change> changes = new ArrayList<>();
        for (AlterableConfig c : r.configs()) {
            if (c.configOperation() != AlterConfigOp.OpType.DELETE.id() && c.value() == null) {
                return ConfigAlterations.Outcome.of(Errors.INVALID_REQUEST, "Null value not supported for : "
                    + c.name());
            }
            changes.add(new ConfigAlterations.Change(c.name(), c.configOperation(), c.value()));
        }
        final Map<String, String> settings = ConfigAlterations.current(ctx, ConfigResource.Type.BROKER,
            r.resourceName());
        final ConfigAlterations.Outcome applied = ConfigAlterations.applyIncremental(ctx, ConfigResource.Type.BROKER,
            changes, settings);
        if (applied.error() != Errors.NONE) {
            return applied;
        }
        return ConfigAlterations.checkForwardedBroker(ctx, r.resourceName(), settings);
    }

    private static AlterConfigsResourceResponse answer(AlterConfigsResource r, ConfigAlterations.Outcome o) {
        return new AlterConfigsResourceResponse().setResourceType(r.resourceType()).setResourceName(r.resourceName())
            .setErrorCode(o.error().code()).setErrorMessage(o.message());
    }

    private static Set<String> duplicates(IncrementalAlterConfigsRequestData data) {
        final Set<String> seen = new HashSet<>();
        final Set<String> twice = new HashSet<>();
        for (AlterConfigsResource r : data.resources()) {
            if (!seen.add(key(r))) {
                twice.add(key(r));
            }
        }
        return twice;
    }

    /**
     * ALTER_CONFIGS on the resource (Kafka's {@code authorizeAlterResource}: a topic's on the topic, a broker's on
     * the cluster), checked after the duplicate check as Kafka orders them.
     */
    private Errors denial(RequestContext req, AlterConfigsResource r) {
        return ApiAuthorization.configDenial(ctx.authorization(), req, AclOperation.ALTER_CONFIGS, r.resourceType(),
            r.resourceName());
    }

    private static String key(AlterConfigsResource r) {
        return r.resourceType() + "/" + r.resourceName();
    }
}
