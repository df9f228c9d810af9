package io.zcrx.ingest.broker.config;

import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkThreadsTest {

    @Test
    void oneReactorPerCoreBelowEightCores() {
        assertEquals(1, NetworkThreads.defaultFor(1));
        assertEquals(2, NetworkThreads.defaultFor(2));
        assertEquals(4, NetworkThreads.defaultFor(4));
        assertEquals(7, NetworkThreads.defaultFor(7));
    }

    @Test
    void oneCoreInEightLeftToTheOtherThreadsFromEightCoresUp() {
        assertEquals(7, NetworkThreads.defaultFor(8));
        assertEquals(14, NetworkThreads.defaultFor(16));
        assertEquals(56, NetworkThreads.defaultFor(64));
    }

    @Test
    void theDefaultNeverPassesTheSettingsRange() {
        // 384 hardware threads (two 96-core EPYC with SMT) would give 336: above the range, and ConfigDef checks the
        // default against it when the definition is built, so no BrokerConfig could be made at all.
        assertEquals(256, NetworkThreads.defaultFor(384));
        assertEquals(256, NetworkThreads.defaultFor(293));
        assertEquals(256, NetworkThreads.defaultFor(292));
        assertEquals(255, NetworkThreads.defaultFor(291));
    }

    @Test
    void nonsenseCoreCountsStillGiveOneReactor() {
        assertEquals(1, NetworkThreads.defaultFor(0));
        assertEquals(1, NetworkThreads.defaultFor(-3));
    }

    @Test
    void theConfigDefaultIsTheMachineDefaultAndTheReasonSaysWhereItCameFrom() {
        final BrokerConfig defaults = new BrokerConfig(Map.of());
        assertEquals(NetworkThreads.machineDefault(), defaults.numNetworkThreads());
        assertTrue(defaults.numNetworkThreadsReason().contains("default"), defaults.numNetworkThreadsReason());
        final BrokerConfig set = new BrokerConfig(Map.of(BrokerConfig.NUM_NETWORK_THREADS, "3"));
        assertEquals("num.network.threads=3 (configured)", set.numNetworkThreadsReason());
    }

    @Test
    void outOfRangeIsRefusedNamingKeyAndValue() {
        final Exception e = assertThrows(Exception.class,
            () -> new BrokerConfig(Map.of(BrokerConfig.NUM_NETWORK_THREADS, "0")));
        assertTrue(e.getMessage().contains("num.network.threads") && e.getMessage().contains("0"), e.getMessage());
    }
}
