package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareOptionsTest {

    @Test
    void fullProfileCoversEveryFileSystemLoadAndTarget() {
        // Goal: the default run is the full comparison matrix. Method: parse no options and count
        // loads: 2 sizes x 2 acks x (unthrottled perf-test, fixed-rate perf-test, firehose).
        final CompareOptions o = CompareOptions.parse(new String[] {"--repo", "/tmp/repo"});
        assertEquals(3, o.reps);
        assertEquals(List.of("tmpfs", "disk"), o.fs);
        assertEquals(12, o.loadSpecs().size());
        assertEquals(Path.of("/tmp/repo/docs/perf"), o.outDir);
        assertEquals(Path.of("/tmp/repo/perf/target/perf-data"), o.diskDir);
        assertEquals(new LoadSpec(LoadSpec.Kind.PERF_TEST, 1024, false, 0), o.loadSpecs().get(0));
        assertEquals(new LoadSpec(LoadSpec.Kind.PERF_TEST_RATE, 1024, false, 20_000), o.loadSpecs().get(1));
        assertEquals(new LoadSpec(LoadSpec.Kind.FIREHOSE, 100, true, 0), o.loadSpecs().get(11));
    }

    @Test
    void optionsOverrideTheProfileInBothSpellings() {
        // Goal: "--name value" and "--name=value" both override profile defaults, and the exact
        // arguments are kept for the report. Method: smoke profile plus overrides.
        final CompareOptions o = CompareOptions.parse(new String[] {"--profile", "smoke", "--reps=2", "--acks", "1,all",
            "--rates", "1024:5000", "--loads=perf-rate", "--dry-run"});
        assertEquals(2, o.reps);
        assertEquals(List.of("tmpfs"), o.fs);
        assertTrue(o.dryRun);
        assertEquals(List.of(new LoadSpec(LoadSpec.Kind.PERF_TEST_RATE, 1024, false, 5000),
            new LoadSpec(LoadSpec.Kind.PERF_TEST_RATE, 1024, true, 5000)), o.loadSpecs());
        assertEquals(List.of("--profile", "smoke", "--reps=2", "--acks", "1,all", "--rates", "1024:5000",
            "--loads=perf-rate",
            "--dry-run"), o.args);
    }

    @Test
    void metricsComparisonIsAFlagAndBrokerJmxIsOnByDefault() {
        // Goal: --metrics-ab needs no value (and takes one in the = spelling); the brokers' own
        // latency is read unless --broker-jmx false. Method: parse each spelling.
        final CompareOptions plain = CompareOptions.parse(new String[] {"--profile", "smoke"});
        assertTrue(plain.brokerJmx && !plain.metricsAb);
        final CompareOptions ab = CompareOptions.parse(new String[] {"--metrics-ab", "--transports", "uring",
            "--broker-jmx", "false"});
        assertTrue(ab.metricsAb && !ab.brokerJmx);
        assertEquals(List.of("uring"), ab.transports);
        assertTrue(!CompareOptions.parse(new String[] {"--metrics-ab=false"}).metricsAb);
    }

    @Test
    void smokeSkipsThePerfTestWarmUpAndNeedsAFixedRecordCountThen() {
        // Goal: the CI profile saves two JVM starts per broker, and turning the warm-up off without
        // saying how many records to send is refused. Method: parse both.
        final CompareOptions smoke = CompareOptions.parse(new String[] {"--profile", "smoke"});
        assertEquals(false, smoke.perfWarmup);
        assertEquals(2_000, smoke.perfRecords);
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> CompareOptions.parse(new String[] {"--perf-warmup", "false"})).getMessage()
            .contains("perfRecords=0"));
    }

    @Test
    void badValuesAreRejectedWithTheValueNamed() {
        // Goal: a typo fails fast, naming what was wrong. Method: one bad value per option kind.
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(new String[] {"--fs",
            "nfs"}))
            .getMessage().contains("at=nfs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(new String[] {"--bogus",
            "1"}))
            .getMessage().contains("--bogus"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> CompareOptions.parse(new String[] {"--record-sizes", "512"})).getMessage().contains("size=512"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(new String[] {"--profile",
            "x"}))
            .getMessage().contains("profile=x"));
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(new String[] {"--reps"}));
    }
}
