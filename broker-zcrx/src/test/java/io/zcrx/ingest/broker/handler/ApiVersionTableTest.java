package io.zcrx.ingest.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class ApiVersionTableTest {

    @Test
    void advertisesExactlyWhatIsImplementedWithKafkaMinimums() {
        // Goal: the advertised list names only implemented APIs, with Apache Kafka 4.1+ minimums
        // (docs/kafka-protocol-notes.md#what-we-advertise) and no unstable maximum.
        final Map<Short, ApiVersion> adv = new HashMap<>();
        for (ApiVersion v : ApiVersionTable.advertised()) {
            adv.put(v.apiKey(), v);
            assertTrue(v.maxVersion() <= ApiKeys.forId(v.apiKey()).latestVersion(false), v.toString());
        }
        // The admin tools' APIs (kafka-configs, kafka-delete-records, kafka-log-dirs, describe-producers).
        assertEquals(2, adv.get(ApiKeys.DELETE_RECORDS.id).maxVersion());
        assertEquals(1, adv.get(ApiKeys.INCREMENTAL_ALTER_CONFIGS.id).maxVersion());
        assertEquals(2, adv.get(ApiKeys.ALTER_CONFIGS.id).maxVersion());
        assertEquals(1, adv.get(ApiKeys.DESCRIBE_LOG_DIRS.id).minVersion());
        assertEquals(0, adv.get(ApiKeys.DESCRIBE_PRODUCERS.id).maxVersion());
        assertEquals(0, adv.get(ApiKeys.LIST_PARTITION_REASSIGNMENTS.id).maxVersion());
        assertEquals(36, adv.size(), adv.toString());
        // kafka-acls: CreateAcls, DescribeAcls, DeleteAcls up to v3 (user resource type).
        assertEquals(3, adv.get(ApiKeys.CREATE_ACLS.id).maxVersion());
        assertEquals(3, adv.get(ApiKeys.DESCRIBE_ACLS.id).maxVersion());
        assertEquals(3, adv.get(ApiKeys.DELETE_ACLS.id).maxVersion());
        assertEquals(0, adv.get(ApiKeys.SASL_HANDSHAKE.id).minVersion());
        assertEquals(1, adv.get(ApiKeys.SASL_HANDSHAKE.id).maxVersion());
        assertEquals(2, adv.get(ApiKeys.SASL_AUTHENTICATE.id).maxVersion());
        assertEquals(0, adv.get(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS.id).maxVersion());
        assertEquals(0, adv.get(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS.id).maxVersion());
        assertEquals(0, adv.get(ApiKeys.PRODUCE.id).minVersion());
        assertEquals(13, adv.get(ApiKeys.PRODUCE.id).maxVersion());
        assertEquals(0, adv.get(ApiKeys.METADATA.id).minVersion());
        assertEquals(13, adv.get(ApiKeys.METADATA.id).maxVersion());
        assertEquals(4, adv.get(ApiKeys.API_VERSIONS.id).maxVersion());
        assertEquals(5, adv.get(ApiKeys.INIT_PRODUCER_ID.id).maxVersion());
        assertEquals(2, adv.get(ApiKeys.CREATE_TOPICS.id).minVersion());
        assertEquals(1, adv.get(ApiKeys.DESCRIBE_CONFIGS.id).minVersion());
        assertEquals(2, adv.get(ApiKeys.DESCRIBE_CLUSTER.id).maxVersion());
        assertEquals(4, adv.get(ApiKeys.FETCH.id).minVersion());
        assertEquals(1, adv.get(ApiKeys.LIST_OFFSETS.id).minVersion());
        assertEquals(2, adv.get(ApiKeys.OFFSET_COMMIT.id).minVersion());
        assertEquals(1, adv.get(ApiKeys.OFFSET_FETCH.id).minVersion());
        assertEquals(9, adv.get(ApiKeys.OFFSET_FETCH.id).maxVersion(),
            "the classic consumer names topics (v10 uses ids)");
        for (ApiKeys groupApi : new ApiKeys[] {ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP,
                ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP}) {
            assertEquals(0, adv.get(groupApi.id).minVersion(), groupApi + ": older librdkafka needs v0 advertised");
        }
        assertFalse(adv.containsKey(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id), "KIP-848 groups are not implemented");
        assertFalse(adv.containsKey(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS.id), "telemetry is not implemented");
    }

    @Test
    void produceBelowV3IsAdvertisedButNotAccepted() {
        // Goal: Produce v0-2 appear in the range (librdkafka feature detection) but are refused.
        assertFalse(ApiVersionTable.accepts(ApiKeys.PRODUCE.id, (short) 2));
        assertTrue(ApiVersionTable.accepts(ApiKeys.PRODUCE.id, (short) 3));
        assertTrue(ApiVersionTable.accepts(ApiKeys.PRODUCE.id, (short) 13));
        assertFalse(ApiVersionTable.accepts(ApiKeys.PRODUCE.id, (short) 14));
        assertFalse(ApiVersionTable.accepts((short) 999, (short) 0));
        assertFalse(ApiVersionTable.accepts((short) -1, (short) 0));
    }
}
