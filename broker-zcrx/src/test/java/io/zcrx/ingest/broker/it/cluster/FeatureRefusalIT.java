package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A controller formatted with Kafka 4.4.0's defaults (metadata.version 4.4-IV2, KIP-848 groups,
 * share groups, transactions v2, streams groups, eligible leader replicas finalized) is a cluster
 * our broker cannot honestly join: the registration is refused for a feature level, and the broker
 * must stop (not hang, not claim the feature) with a message naming the feature and the
 * {@code kafka-storage format} arguments that make a compatible cluster.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FeatureRefusalIT {
    /** The features Kafka 4.4 finalizes by default that a 4.3-level broker may be refused for. */
    private static final Pattern FEATURE = Pattern.compile(
        "metadata\\.version|group\\.version|transaction\\.version|share\\.version|streams\\.version"
            + "|eligible\\.leader\\.replicas\\.version");
    private static ClusterFixture fixture;

    @BeforeAll
    static void startController() throws Exception {
        fixture = ClusterFixture.create(FeatureRefusalIT.class);
        fixture.startController(ControllerFeatures.KAFKA_DEFAULTS, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void ourBrokerRefusesAKafka44DefaultClusterNamingTheFeatureAndTheFix() throws Exception {
        final ZcrxBrokerProcess broker = fixture.createZcrxBroker(1, fixture.controller(),
            ZcrxBrokerProcess.Format.ZCRX_STORAGE, Map.of());
        broker.spawn();
        final int exit = broker.awaitExit(Duration.ofSeconds(90));
        final String said = broker.outputAndLog();
        assertNotEquals(0, exit, "the broker must fail, not exit cleanly:\n" + said);
        assertTrue(FEATURE.matcher(said).find(), "names no feature:\n" + said);
        assertTrue(said.contains("--release-version") || said.contains("--feature"),
            "names no kafka-storage format argument:\n" + said);
    }
}
