package io.zcrx.ingest.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.DynamicBrokerConfig;
import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.testkit.FakeController;
import io.zcrx.ingest.broker.testkit.RecordingChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IncrementalAlterConfigs per resource: standalone, a topic's overrides and the broker's dynamic layers change,
 * persist and apply live (validateOnly changes nothing, read-only broker keys and non-list appends are refused);
 * cluster mode forwards the topic resources and the broker ones it checked, refusing the others itself, in one
 * response.
 */
class IncrementalAlterConfigsHandlerTest {
    @TempDir
    Path dir;
    private ClusterFixture fx;
    private final FakeController controller = new FakeController();
    private final RecordingChannel channel = new RecordingChannel();

    @BeforeEach
    void setUp() throws Exception {
        fx = new ClusterFixture(dir);
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private static AlterConfigsResource resource(ConfigResource.Type type, String name, String key, String value,
                                                 AlterConfigOp.OpType op) {
        final AlterConfigsResource r = new AlterConfigsResource().setResourceType(type.id()).setResourceName(name);
        r.configs().add(new AlterableConfig().setName(key).setValue(value).setConfigOperation(op.id()));
        return r;
    }

    private IncrementalAlterConfigsResponseData send(boolean validateOnly, AlterConfigsResource... resources) {
        final IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData()
            .setValidateOnly(validateOnly);
        for (AlterConfigsResource r : resources) {
            data.resources().add(r);
        }
        final int before = channel.messages.size();
        new IncrementalAlterConfigsHandler(fx.ctx()).handle(
            new RequestContext(channel, ApiKeys.INCREMENTAL_ALTER_CONFIGS, (short) 1, 3, "tool", 0), data);
        return channel.messages.size() > before
            ? (IncrementalAlterConfigsResponseData) channel.messages.get(before) : null;
    }

    private static AlterConfigsResourceResponse result(IncrementalAlterConfigsResponseData d, int i) {
        return d.responses().get(i);
    }

    // Goal: a topic setting is validated, persisted and applied to the partition log at once; validateOnly and
    // bad values change nothing; APPEND on a non-list key is INVALID_CONFIG; unknown topic is reported per resource.
    @Test
    void standaloneTopicSettingsChangeLive() throws Exception {
        fx.ctx().topics().create("t", 1, Map.of(), false);
        IncrementalAlterConfigsResponseData r = send(true,
            resource(ConfigResource.Type.TOPIC, "t", "retention.ms", "60000", AlterConfigOp.OpType.SET));
        assertEquals(Errors.NONE.code(), result(r, 0).errorCode());
        assertEquals(Map.of(), fx.ctx().topics().get("t").overrides(), "validateOnly changed the topic");
        r = send(false, resource(ConfigResource.Type.TOPIC, "t", "retention.ms", "60000", AlterConfigOp.OpType.SET),
            resource(ConfigResource.Type.TOPIC, "nope", "retention.ms", "1", AlterConfigOp.OpType.SET));
        assertEquals(Errors.NONE.code(), result(r, 0).errorCode(), result(r, 0).errorMessage());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), result(r, 1).errorCode());
        assertEquals(60000L, fx.ctx().logs().partition("t", 0).config().retentionMs);
        assertEquals("60000", fx.ctx().topics().get("t").overrides().get("retention.ms"));
        r = send(false, resource(ConfigResource.Type.TOPIC, "t", "retention.ms", "-5", AlterConfigOp.OpType.SET));
        assertEquals(Errors.INVALID_CONFIG.code(), result(r, 0).errorCode());
        assertTrue(result(r, 0).errorMessage().contains("retention.ms"), result(r, 0).errorMessage());
        r = send(false, resource(ConfigResource.Type.TOPIC, "t", "retention.ms", "1", AlterConfigOp.OpType.APPEND));
        assertEquals(Errors.INVALID_CONFIG.code(), result(r, 0).errorCode());
        r = send(false, resource(ConfigResource.Type.TOPIC, "t", "retention.ms", null, AlterConfigOp.OpType.DELETE));
        assertEquals(Errors.NONE.code(), result(r, 0).errorCode());
        assertEquals(fx.ctx().config().logRetentionMs(), fx.ctx().logs().partition("t", 0).config().retentionMs);
    }

    // Goal: two requests on different reactor threads that change different keys of one topic both land (the
    // read-modify-write of the overrides is atomic; without it one thread replaced the overrides with its stale
    // copy and the other key's change was lost). Method: two threads, each 200 SETs of its own key with a rising
    // value, on their own channels; afterwards both keys hold their thread's last value.
    @Test
    void concurrentChangesOfDifferentKeysOfOneTopicBothLand() throws Exception {
        fx.ctx().topics().create("race", 1, Map.of(), false);
        final String[] keys = {"retention.ms", "segment.ms"};
        final int rounds = 200;
        final Thread[] threads = new Thread[2];
        final Throwable[] failure = new Throwable[1];
        for (int t = 0; t < 2; t++) {
            final String key = keys[t];
            final RecordingChannel own = new RecordingChannel();
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 1; i <= rounds; i++) {
                        final IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData();
                        data.resources().add(resource(ConfigResource.Type.TOPIC, "race", key,
                            String.valueOf(3_600_000L + i), AlterConfigOp.OpType.SET));
                        new IncrementalAlterConfigsHandler(fx.ctx()).handle(
                            new RequestContext(own, ApiKeys.INCREMENTAL_ALTER_CONFIGS, (short) 1, i, "tool", 0), data);
                        final IncrementalAlterConfigsResponseData r =
                            (IncrementalAlterConfigsResponseData) own.messages.get(own.messages.size() - 1);
                        assertEquals(Errors.NONE.code(), result(r, 0).errorCode(), result(r, 0).errorMessage());
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }, "alter-" + key);
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(2));
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        final Map<String, String> overrides = fx.ctx().topics().get("race").overrides();
        for (String key : keys) {
            assertEquals(String.valueOf(3_600_000L + rounds), overrides.get(key), key + " in " + overrides);
        }
    }

    // Goal: the brokers' default layer changes every topic without its own override, live and persisted (a new
    // DynamicBrokerConfig loads it back); a read-only key is INVALID_REQUEST with Kafka's message; another broker's
    // id is INVALID_REQUEST.
    @Test
    void standaloneBrokerSettingsChangeLiveAndPersist() throws Exception {
        final DynamicBrokerConfig dynamic = DynamicBrokerConfig.load(fx.ctx().config());
        dynamic.addListener(fx.ctx().topics()::applyBrokerConfig);
        fx.ctx().attachDynamicConfig(dynamic);
        fx.ctx().topics().create("t", 1, Map.of(), false);
        IncrementalAlterConfigsResponseData r = send(false,
            resource(ConfigResource.Type.BROKER, "", "log.retention.ms", "7200000", AlterConfigOp.OpType.SET));
        assertEquals(Errors.NONE.code(), result(r, 0).errorCode(), result(r, 0).errorMessage());
        assertEquals(7200000L, fx.ctx().logs().partition("t", 0).config().retentionMs);
        assertEquals("7200000", DynamicBrokerConfig.load(fx.ctx().config()).layer(true).get("log.retention.ms"));
        r = send(false, resource(ConfigResource.Type.BROKER, "1", "num.partitions", "3", AlterConfigOp.OpType.SET),
            resource(ConfigResource.Type.BROKER, "7", "log.retention.ms", "1", AlterConfigOp.OpType.SET));
        assertEquals(Errors.INVALID_REQUEST.code(), result(r, 0).errorCode());
        assertEquals("Cannot update these configs dynamically: [num.partitions]", result(r, 0).errorMessage());
        assertEquals(Errors.INVALID_REQUEST.code(), result(r, 1).errorCode());
        assertEquals(DynamicBrokerConfig.load(fx.ctx().config()).layer(false), Map.of());
    }

    // Goal: in cluster mode, as Kafka's brokers, a topic resource and a valid broker resource (cluster default)
    // go to the controller; a read-only broker key and another broker's id are refused here, per resource, and the
    // client gets every answer in one response. Without the broker check the read-only key would reach the
    // controller, which stores any broker key.
    @Test
    void clusterModeForwardsTopicsAndCheckedBrokersPerResource() throws Exception {
        fx.joinCluster(controller, 1);
        assertTrue(send(false,
            resource(ConfigResource.Type.TOPIC, "t", "retention.ms", "60000", AlterConfigOp.OpType.SET),
            resource(ConfigResource.Type.BROKER, "", "log.retention.ms", "600000", AlterConfigOp.OpType.SET),
            resource(ConfigResource.Type.BROKER, "1", "log.cleaner.enable", "false", AlterConfigOp.OpType.SET),
            resource(ConfigResource.Type.BROKER, "2", "log.retention.ms", "1", AlterConfigOp.OpType.SET)) == null,
            "answered before the controller");
        final IncrementalAlterConfigsRequest sent =
            assertInstanceOf(IncrementalAlterConfigsRequest.class, controller.last().request());
        assertEquals(2, sent.data().resources().size());
        assertEquals(List.of("t", ""), sent.data().resources().stream().map(AlterConfigsResource::resourceName)
            .toList());
        final IncrementalAlterConfigsResponseData answer = new IncrementalAlterConfigsResponseData();
        answer.responses().add(new AlterConfigsResourceResponse().setResourceType(ConfigResource.Type.TOPIC.id())
            .setResourceName("t").setErrorCode(Errors.NONE.code()));
        answer.responses().add(new AlterConfigsResourceResponse().setResourceType(ConfigResource.Type.BROKER.id())
            .setResourceName("").setErrorCode(Errors.NONE.code()));
        controller.last().answer().complete(new IncrementalAlterConfigsResponse(answer));
        final IncrementalAlterConfigsResponseData got = (IncrementalAlterConfigsResponseData)
            channel.deferred.get(0).answer.get(10, TimeUnit.SECONDS);
        assertEquals(4, got.responses().size());
        assertEquals(Errors.NONE.code(), got.responses().get(0).errorCode());
        assertEquals(Errors.NONE.code(), got.responses().get(1).errorCode());
        assertEquals("1", got.responses().get(2).resourceName());
        assertEquals(Errors.INVALID_REQUEST.code(), got.responses().get(2).errorCode());
        assertTrue(got.responses().get(2).errorMessage().contains("Cannot update these configs dynamically"),
            got.responses().get(2).errorMessage());
        assertEquals("2", got.responses().get(3).resourceName());
        assertEquals(Errors.INVALID_REQUEST.code(), got.responses().get(3).errorCode());
    }
}
