package io.zcrx.ingest.perf.e2e;

/**
 * One load configuration of the comparison.
 *
 * @param kind        which generator
 * @param recordBytes record value size (1024 or 100 in the standard matrix)
 * @param acksAll     acks=all with an idempotent producer; false = acks=1, not idempotent
 * @param rate        records/s for the fixed-rate kinds ({@link Kind#PERF_TEST_RATE}, {@link Kind#OPEN_LOOP}); 0
 *                    otherwise
 */
public record LoadSpec(Kind kind, int recordBytes, boolean acksAll, int rate) {

    public enum Kind {
        /** kafka-producer-perf-test, unthrottled: throughput and CPU per GB. */
        PERF_TEST,
        /** kafka-producer-perf-test at a fixed rate both brokers sustain: latency. */
        PERF_TEST_RATE,
        /** our pipelined firehose: broker saturation throughput and CPU per GB; raw into the sink. */
        FIREHOSE,
        /**
         * our open-loop load ({@code io.zcrx.ingest.perf.load.OpenLoop}) at a fixed rate: latency from each
         * record's scheduled send time, so a stall is not hidden; acks=all idempotent in the standard plan.
         */
        OPEN_LOOP
    }

    public LoadSpec {
        if (recordBytes < 1 || (kind == Kind.PERF_TEST_RATE || kind == Kind.OPEN_LOOP) != (rate > 0)) {
            throw new IllegalArgumentException("invalid load: kind=" + kind + ", recordBytes=" + recordBytes
                + ", rate=" + rate);
        }
    }

    /** "1KB" or "100B": how the tables name record sizes. */
    public String sizeLabel() {
        return recordBytes % 1024 == 0 ? recordBytes / 1024 + "KB" : recordBytes + "B";
    }

    public String acksLabel() {
        return acksAll ? "acks=all idem" : "acks=1";
    }

    /** e.g. "perf-test 1KB acks=all idem @20000/s". */
    public String label() {
        final String name = switch (kind) {
            case PERF_TEST, PERF_TEST_RATE -> "perf-test";
            case FIREHOSE -> "firehose";
            case OPEN_LOOP -> "open-loop";
        };
        return name + " " + sizeLabel() + " " + acksLabel() + (fixedRate() ? " @" + rate + "/s" : "");
    }

    /** A file-name and topic-name safe id, e.g. "perf-rate-1024-all", "openloop-10000-1024-all". */
    public String id() {
        final String name = switch (kind) {
            case PERF_TEST -> "perf";
            case PERF_TEST_RATE -> "perf-rate";
            case FIREHOSE -> "firehose";
            // Two rates per record size in one plan: the rate is part of the id.
            case OPEN_LOOP -> "openloop-" + rate;
        };
        return name + "-" + recordBytes + "-" + (acksAll ? "all" : "1");
    }

    /** A load at a fixed offered rate (latency), not one that finds the maximum (throughput). */
    public boolean fixedRate() {
        return kind == Kind.PERF_TEST_RATE || kind == Kind.OPEN_LOOP;
    }
}
