package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareOptionsTest {

    @Test
    void fullProfileCoversEveryFileSystemLoadAndTarget() {
        // Goal: the default run is the full comparison matrix. Method: parse no options and count
        // loads: 2 sizes x 2 acks x (unthrottled perf-test, fixed-rate perf-test, firehose), plus the open loop
        // at 10,000 and 100,000 records/s for 1 KB acks=all.
        final CompareOptions o = CompareOptions.parse(new String[] {"--repo", "/tmp/repo"});
        assertEquals(3, o.reps);
        assertEquals(List.of("tmpfs", "disk"), o.fs);
        assertEquals(14, o.loadSpecs().size());
        assertEquals(Path.of("/tmp/repo/docs/perf"), o.outDir);
        assertEquals(Path.of("/tmp/repo/perf/target/perf-data"), o.diskDir);
        assertEquals(new LoadSpec(LoadSpec.Kind.PERF_TEST, 1024, false, 0), o.loadSpecs().get(0));
        assertEquals(new LoadSpec(LoadSpec.Kind.PERF_TEST_RATE, 1024, false, 20_000), o.loadSpecs().get(1));
        assertEquals(new LoadSpec(LoadSpec.Kind.OPEN_LOOP, 1024, true, 10_000), o.loadSpecs().get(6));
        assertEquals(new LoadSpec(LoadSpec.Kind.OPEN_LOOP, 1024, true, 100_000), o.loadSpecs().get(7));
        assertEquals(new LoadSpec(LoadSpec.Kind.FIREHOSE, 100, true, 0), o.loadSpecs().get(13));
        assertEquals(60, o.openLoopSeconds);
        assertEquals(List.of("g1"), o.gcs);
        assertEquals(List.of(), o.jdks);
    }

    @Test
    void openLoopJdkAndGcOptions() {
        // Goal: the open loop's rates, sizes and window are options; its loads have the rate in their id (two per
        // size); --gc takes g1,zgc only and --jdk only launchers that exist.
        final CompareOptions o = CompareOptions.parse(new String[] {"--loads", "openloop", "--acks", "1,all",
            "--openloop-rates", "500,2000", "--openloop-sizes", "1024,100", "--openloop-seconds", "3", "--gc",
            "g1,zgc"});
        assertEquals(List.of(new LoadSpec(LoadSpec.Kind.OPEN_LOOP, 1024, true, 500),
            new LoadSpec(LoadSpec.Kind.OPEN_LOOP, 1024, true, 2000),
            new LoadSpec(LoadSpec.Kind.OPEN_LOOP, 100, true, 500),
            new LoadSpec(LoadSpec.Kind.OPEN_LOOP, 100, true, 2000)), o.loadSpecs());
        assertEquals("openloop-500-1024-all", o.loadSpecs().get(0).id());
        assertEquals("open-loop 1KB acks=all idem @500/s", o.loadSpecs().get(0).label());
        assertTrue(o.loadSpecs().get(0).fixedRate());
        assertEquals(3, o.openLoopSeconds);
        assertEquals(List.of("g1", "zgc"), o.gcs);
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(new String[] {"--gc", "shenandoah"}));
        assertThrows(IllegalArgumentException.class,
            () -> CompareOptions.parse(new String[] {"--jdk", "/nonexistent/bin/java"}));
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
    @Test
    void steadyProfileBoundsTheLogFootprintAndTheOptionIsValidated() {
        // Goal: the steady profile runs long windows on tmpfs with every target's log bounded by retention, and a
        // footprint too small to hold one segment set is refused naming the value; 0 turns it off.
        final CompareOptions o = CompareOptions.parse(new String[] {"--profile", "steady"});
        assertEquals(List.of("tmpfs"), o.fs);
        assertEquals(15, o.seconds);
        assertEquals(15, o.warmupSeconds);
        assertEquals(1L << 30, o.logFootprint().totalBytes());
        assertTrue(o.perfSteady);
        assertFalse(CompareOptions.parse(new String[] {"--profile", "quick"}).perfSteady);
        assertEquals(List.of(LoadSpec.Kind.PERF_TEST, LoadSpec.Kind.FIREHOSE),
            o.loadSpecs().stream().map(LoadSpec::kind).distinct().toList());
        assertEquals(0, CompareOptions.parse(new String[] {"--profile", "steady", "--log-footprint", "0"})
            .logFootprint().totalBytes());
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> CompareOptions.parse(new String[] {"--log-footprint", "1000"})).getMessage()
            .contains("logFootprint=1000"));
    }
}
