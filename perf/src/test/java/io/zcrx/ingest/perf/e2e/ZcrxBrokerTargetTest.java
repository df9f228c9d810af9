package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZcrxBrokerTargetTest {

    @Test
    void metricsOffTwinIsNamedApartAndAsksForMetricsOff() {
        // Goal: the --metrics-ab twin is a separate target (own id, label, settings) of the same
        // transport. Method: build a target and its twin; compare names and descriptions.
        final ZcrxBrokerTarget on = new ZcrxBrokerTarget(Path.of("/repo"), "uring", "-Xmx1g", List.of("a.b=c"), true,
            true);
        final ZcrxBrokerTarget off = on.withMetricsOff();
        assertEquals("zcrx-uring", on.id());
        assertEquals("zcrx-uring-nometrics", off.id());
        assertEquals("zcrx broker (uring, metrics off)", off.label());
        assertTrue(on.metrics() && !off.metrics());
        assertTrue(off.describe().contains("a.b=c, metrics.enable=false"), off.describe());
        assertTrue(!on.describe().contains("metrics.enable") && on.describe().contains("remote JMX"), on.describe());
    }

    @Test
    void jdkAndCollectorVariantsAreTargetsOfTheirOwn() {
        // Goal: --jdk / --gc make separate targets (id, label) whose JVM options swap G1 for generational ZGC the way
        // each JDK spells it. Method: variants of one target; the option rewrite for JDK 17, 21 and 25.
        final ZcrxBrokerTarget base = new ZcrxBrokerTarget(Path.of("/repo"), "uring", Jvm.ZCRX_BROKER_OPTS, List.of(),
            false, true);
        final ZcrxBrokerTarget z25 = base.withJvm("/usr/lib/jvm/x/bin/java", "25.0.1", "zgc");
        assertEquals("zcrx-uring-jdk25-zgc", z25.id());
        assertEquals("zcrx broker (uring, JDK 25.0.1, ZGC)", z25.label());
        assertEquals("zcrx-uring-jdk25-zgc-nometrics", z25.withMetricsOff().id());
        assertTrue(z25.describe().contains("/usr/lib/jvm/x/bin/java (25.0.1) -Xms256m -Xmx1g -XX:+UseZGC"),
            z25.describe());
        assertEquals("zcrx-uring", base.withJvm(null, null, "g1").id());
        assertEquals("-Xms256m -Xmx1g -XX:+UseZGC", ZcrxBrokerTarget.gcOptions(Jvm.ZCRX_BROKER_OPTS, "zgc", 25));
        assertEquals("-Xms256m -Xmx1g -XX:+UseZGC -XX:+ZGenerational",
            ZcrxBrokerTarget.gcOptions(Jvm.ZCRX_BROKER_OPTS, "zgc", 21));
        assertEquals(Jvm.ZCRX_BROKER_OPTS, ZcrxBrokerTarget.gcOptions(Jvm.ZCRX_BROKER_OPTS, "g1", 17));
        assertEquals(25, Jvm.major("25.0.1"));
        assertEquals(17, Jvm.major("17.0.15"));
        assertEquals(8, Jvm.major("1.8.0_402"));
    }

    @Test
    void ignoredSettingsAreReadFromTheBrokersWarning() {
        // Goal: a broker that ignores metrics.enable (it warns instead of refusing an unknown key)
        // is recognised, so a "metrics off" run never measures metrics on. Method: the warning line
        // as Main logs it, among other lines; and a log without it.
        final String log = String.join("\n",
            "[2026-12-06 10:00:00,000] INFO  [main] Main:   transport = nio",
            "[2026-12-06 10:00:00,001] WARN  [main] Main: ignoring settings this broker does not implement: "
                + "[log.cleaner.enable, metrics.enable]",
            "[2026-12-06 10:00:01,000] INFO  [main] Broker: started");
        assertEquals(List.of("log.cleaner.enable", "metrics.enable"), ZcrxBrokerTarget.ignoredSettings(log));
        assertEquals(List.of(), ZcrxBrokerTarget.ignoredSettings("INFO started\n  metrics.enable = false\n"));
    }
}
