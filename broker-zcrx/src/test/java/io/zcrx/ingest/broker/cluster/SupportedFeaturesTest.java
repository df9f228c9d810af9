package io.zcrx.ingest.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.kafka.metadata.VersionRange;
import org.junit.jupiter.api.Test;

/** The advertised ranges are what this broker implements; a cluster beyond them is named with the fix. */
class SupportedFeaturesTest {
    @Test
    void advertisesOnlyWhatThisBrokerImplements() {
        final Map<String, VersionRange> r = SupportedFeatures.ranges();
        assertEquals(VersionRange.of(7, 30), r.get("metadata.version"), "3.3-IV3 to 4.3-IV0");
        for (String off : new String[] {"group.version", "transaction.version", "share.version", "streams.version",
            "eligible.leader.replicas.version"}) {
            assertEquals(VersionRange.of(0, 0), r.get(off), off);
        }
        assertEquals(0, r.get("kraft.version").min());
        assertEquals(7, r.size());
    }

    @Test
    void aCompatibleClusterPasses() {
        assertNull(SupportedFeatures.incompatibility(Map.of("metadata.version", (short) 30, "kraft.version",
            (short) 1, "group.version", (short) 0)));
    }

    @Test
    void aFeatureBeyondOurRangeIsNamedWithItsLevelOurRangeAndTheFix() {
        final String m = SupportedFeatures.incompatibility(Map.of("metadata.version", (short) 30, "group.version",
            (short) 1));
        assertTrue(m.contains("group.version at level 1") && m.contains("[0, 0]"), m);
        assertTrue(m.contains("kafka-storage format --release-version 4.3-IV0 --feature group.version=0"), m);
        final String unknown = SupportedFeatures.incompatibility(Map.of("some.future.version", (short) 2));
        assertTrue(unknown.contains("some.future.version at level 2"), unknown);
        final String old = SupportedFeatures.incompatibility(Map.of("metadata.version", (short) 5));
        assertTrue(old.contains("metadata.version at level 5") && old.contains("[7, 30]"), old);
    }
}
