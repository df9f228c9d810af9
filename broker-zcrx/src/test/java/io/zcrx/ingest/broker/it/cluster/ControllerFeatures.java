package io.zcrx.ingest.broker.it.cluster;

import java.util.List;

/**
 * The feature levels a controller is formatted with ({@code kafka-storage format} arguments after
 * {@code -t ID -c FILE --standalone}).
 */
public enum ControllerFeatures {
    /**
     * What a broker on Kafka's 4.3.1 libraries can join (docs: "Running a cluster"): metadata.version
     * 4.3-IV0 and none of 4.4's default-on features (KIP-848 groups, share groups, transactions v2,
     * streams groups, eligible leader replicas). A Kafka 4.4 broker joins such a cluster too.
     */
    COMPATIBLE(List.of("--release-version", "4.3-IV0", "--feature", "group.version=0", "--feature",
        "transaction.version=0", "--feature", "share.version=0", "--feature", "streams.version=0", "--feature",
        "eligible.leader.replicas.version=0")),
    /** Kafka 4.4.0's defaults: metadata.version 4.4-IV2 with every default-on feature finalized. */
    KAFKA_DEFAULTS(List.of());

    private final List<String> formatArgs;

    ControllerFeatures(List<String> formatArgs) {
        this.formatArgs = formatArgs;
    }

    List<String> formatArgs() {
        return formatArgs;
    }
}
