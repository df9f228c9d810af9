package io.zcrx.ingest.broker.cluster;

import io.zcrx.ingest.broker.config.BrokerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.properties.MetaProperties;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble.VerificationFlag;

/**
 * Cluster mode's storage check at start, with Kafka's own {@link MetaPropertiesEnsemble} (the rules
 * Kafka's brokers apply): every log dir and the metadata log dir carry a {@code meta.properties}
 * version 1 with the same cluster id, this node's id, and a directory id. Unlike standalone mode
 * nothing is formatted here: a KRaft broker must have its controllers' cluster id, which only the
 * operator knows. A failure says which command to run.
 */
final class StorageCheck {
    /** The formatted storage: the cluster id and the metadata log dir's directory id. */
    record Formatted(String clusterId, Uuid metadataDirId) {
    }

    private StorageCheck() {
    }

    static String formatHint() {
        return "format it with the cluster's id: bin/zcrx-storage.sh format -t <cluster-id> -c <broker.properties> "
            + "(the controllers' cluster id is in their meta.properties; bin/zcrx-storage.sh random-uuid makes one "
            + "for a new cluster; Kafka's kafka-storage.sh format -t <cluster-id> -c <broker.properties> "
            + "--no-initial-controllers works too)";
    }

    static Formatted verify(BrokerConfig config) throws IOException {
        final List<String> dirs = new ArrayList<>();
        for (Path d : config.logDirs()) {
            dirs.add(d.toString());
        }
        final String metadataDir = config.metadataLogDir().toString();
        final MetaPropertiesEnsemble ensemble = new MetaPropertiesEnsemble.Loader().addLogDirs(dirs)
            .addMetadataLogDir(metadataDir).load();
        if (!ensemble.errorLogDirs().isEmpty()) {
            throw new IOException("cannot read meta.properties in " + ensemble.errorLogDirs()
                + " (see the log for the reason)");
        }
        if (!ensemble.emptyLogDirs().isEmpty()) {
            throw new IOException("log directories not formatted: " + ensemble.emptyLogDirs()
                + " (process.roles=broker needs formatted storage); " + formatHint());
        }
        try {
            ensemble.verify(Optional.empty(), OptionalInt.of(config.nodeId()),
                EnumSet.of(VerificationFlag.REQUIRE_METADATA_LOG_DIR, VerificationFlag.REQUIRE_AT_LEAST_ONE_VALID));
        } catch (RuntimeException e) {
            throw new IOException("meta.properties does not fit this broker (node.id=" + config.nodeId() + "): "
                + e.getMessage() + "; " + formatHint() + " into empty directories", e);
        }
        final MetaProperties meta = ensemble.logDirProps().get(metadataDir);
        if (meta == null || meta.directoryId().isEmpty()) {
            throw new IOException("the metadata log dir " + metadataDir + " has no directory.id; " + formatHint());
        }
        for (String d : dirs) {
            final MetaProperties m = ensemble.logDirProps().get(d);
            if (m == null || m.directoryId().isEmpty()) {
                throw new IOException("log dir " + d + " has no directory.id; " + formatHint());
            }
        }
        return new Formatted(ensemble.clusterId().orElseThrow(), meta.directoryId().get());
    }
}
