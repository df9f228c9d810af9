package io.zcrx.ingest.perf.load;

import io.zcrx.ingest.perf.proc.ProcStat;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * Runs kafka-producer-perf-test (kafka-tools' {@code ProducerPerformance}, unchanged, same
 * arguments) and then prints this JVM's own CPU time, so the harness can bill the client's CPU
 * exactly: {@code perf-test: client-cpu-seconds=X} (utime+stime of the whole process, JVM start-up
 * included, which is what a user running the tool pays too).
 */
public final class ProducerPerfMain {
    public static final String CPU_PREFIX = "perf-test: client-cpu-seconds=";

    private ProducerPerfMain() {
    }

    public static void main(String[] args) throws Exception {
        ProducerPerformance.main(args);
        System.out.flush();
        System.out.println(CPU_PREFIX + ProcStat.cpuSeconds(ProcessHandle.current().pid()));
        System.out.flush();
    }
}
