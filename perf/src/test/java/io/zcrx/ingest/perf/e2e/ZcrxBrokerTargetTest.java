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
