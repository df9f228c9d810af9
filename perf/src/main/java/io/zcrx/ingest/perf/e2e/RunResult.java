package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.load.OpenLoop;
import io.zcrx.ingest.perf.proc.ProcStat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What one run measured. Bytes are record-value bytes (what kafka-producer-perf-test counts), so
 * every target is billed for the same useful payload; MB = 10^6 bytes and GB = 10^9 bytes.
 *
 * @param error            null when the run succeeded, else why it failed
 * @param records          records acknowledged in the measured window
 * @param payloadBytes     their value bytes
 * @param loadSeconds      length of the measured window as the load generator timed it
 * @param latency          perf-test latencies (null for the firehose)
 * @param brokerCpuSeconds utime+stime the target process spent between the window's two samples
 * @param windowSeconds    wall time between those two samples
 * @param peakRssBytes     the target's VmHWM at the end of the run
 * @param clientCpuSeconds the load generator's CPU (firehose: in the window; perf-test: the whole process)
 * @param diskWriteBytes   bytes written to the log directory's block device in the window; -1 on tmpfs
 * @param busiestThreads   the target's busiest threads in the window, e.g. "reactor-0 0.97, log-flusher 0.05"
 * @param busiestThreadCores CPU of the busiest one, in cores: near 1.0 means one thread is the bottleneck
 * @param machineBusySeconds busy CPU time of the whole machine in the window (all processes, kernel threads)
 * @param brokerLatency    the broker's own Produce latency histogram (JMX) read at the end of the window; null
 *                         for the sink or without JMX, absent (with why) when the broker did not give it
 * @param openLoop         the open-loop load's own figures (latency from the schedule, late sends); null for the
 *                         other loads
 */
public record RunResult(RunSpec spec, String error, long records, long payloadBytes, double loadSeconds,
                        PerfTestSummary latency, double brokerCpuSeconds, double windowSeconds, long peakRssBytes,
                        double clientCpuSeconds, long diskWriteBytes, String busiestThreads,
                        double busiestThreadCores, double machineBusySeconds,
                        BrokerJmx.ProduceLatency brokerLatency, OpenLoop.Result openLoop) {

    /** A run of a load other than the open loop. */
    public RunResult(RunSpec spec, String error, long records, long payloadBytes, double loadSeconds,
                     PerfTestSummary latency, double brokerCpuSeconds, double windowSeconds, long peakRssBytes,
                     double clientCpuSeconds, long diskWriteBytes, String busiestThreads, double busiestThreadCores,
                     double machineBusySeconds, BrokerJmx.ProduceLatency brokerLatency) {
        this(spec, error, records, payloadBytes, loadSeconds, latency, brokerCpuSeconds, windowSeconds, peakRssBytes,
            clientCpuSeconds, diskWriteBytes, busiestThreads, busiestThreadCores, machineBusySeconds, brokerLatency,
            null);
    }

    public static RunResult failed(RunSpec spec, String error) {
        return new RunResult(spec, error, 0, 0, 0, null, 0, 0, 0, 0, -1, "", 0, 0, null, null);
    }

    /** An open-loop figure when this run has one, else NaN. */
    public double openLoop(ToDoubleFunction<OpenLoop.Result> f) {
        return openLoop == null ? Double.NaN : f.applyAsDouble(openLoop);
    }

    /** The broker's figure (ms) when it was read, else NaN. */
    public double brokerLatency(ToDoubleFunction<BrokerJmx.ProduceLatency> f) {
        return brokerLatency == null || !brokerLatency.present() ? Double.NaN : f.applyAsDouble(brokerLatency);
    }

    /** "a 0.97, b 0.05": the threads of {@link ProcStat#busiest}, for the table and the CSV. */
    static String formatThreads(List<Map.Entry<String, Double>> threads) {
        final StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Double> e : threads) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(e.getKey().replace(',', ' ')).append(String.format(Locale.ROOT, " %.2f", e.getValue()));
        }
        return b.toString();
    }

    public boolean ok() {
        return error == null;
    }

    public double recordsPerSec() {
        return records / loadSeconds;
    }

    public double mbPerSec() {
        return payloadBytes / 1e6 / loadSeconds;
    }

    /** Broker CPU seconds per GB of record values ingested. */
    public double brokerCpuPerGb() {
        return brokerCpuSeconds / (payloadBytes / 1e9);
    }

    /** Average cores the target kept busy over the window. */
    public double brokerCores() {
        return brokerCpuSeconds / windowSeconds;
    }

    /** Average cores the load generator kept busy. */
    public double clientCores() {
        return clientCpuSeconds / (spec.load().kind() == LoadSpec.Kind.PERF_TEST
            || spec.load().kind() == LoadSpec.Kind.PERF_TEST_RATE ? windowSeconds : loadSeconds);
    }

    /** Average cores the whole machine kept busy in the window. */
    public double machineCores() {
        return machineBusySeconds / windowSeconds;
    }

    /** MB/s written to the disk in the window, or -1. */
    public double diskMbPerSec() {
        return diskWriteBytes < 0 ? -1 : diskWriteBytes / 1e6 / windowSeconds;
    }
}
