package io.zcrx.ingest.broker.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Renders docs/configuration.md from the settings' own definitions, so the reference cannot drift
 * from the code ({@code ConfigDocsTest} fails when the committed file differs). Run
 * {@code java -cp ... io.zcrx.ingest.broker.config.ConfigDocs > docs/configuration.md} to refresh.
 */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    public static void main(String[] args) {
        System.out.print(render());
    }

    public static String render() {
        final StringBuilder sb = new StringBuilder();
        sb.append("# Configuration reference\n\n");
        sb.append("Generated from the code by `io.zcrx.ingest.broker.config.ConfigDocs` (a test keeps this file in\n"
            + "sync). Settings go in `config/server.properties` or on the command line as `--override key=value`.\n"
            + "Names are Apache Kafka's where Kafka has the setting. Every value is validated at start; a bad one\n"
            + "stops the broker with `configuration error: Invalid value V for configuration K: reason`. Keys this\n"
            + "broker does not implement are listed in one warning at start and otherwise ignored.\n\n");
        sb.append("## Broker settings\n\n");
        table(sb, BrokerConfig.configDef());
        sb.append("\n## Topic settings\n\n");
        sb.append("Set per topic at creation (`kafka-topics --create --config k=v`, AdminClient `NewTopic.configs`).\n"
            + "Unset ones follow the broker setting named in the last column. Any other topic setting (tiered\n"
            + "storage, ...) is refused with INVALID_CONFIG.\n\n");
        sb.append("| topic setting | valid values | follows broker setting | description |\n");
        sb.append("|---|---|---|---|\n");
        final Map<String, TopicConfigs.Entry> eff = TopicConfigs.effective(new BrokerConfig(Map.of()), Map.of());
        for (TopicConfigs.Entry e : eff.values()) {
            sb.append("| `").append(e.name()).append("` | ").append(TopicConfigs.validRange(e.name())).append(" | `")
                .append(e.brokerSynonym()).append("` | ").append(escape(e.documentation())).append(" |\n");
        }
        sb.append("\n## Durability of acknowledged writes\n\n");
        sb.append("Every fsync runs on one flusher thread (`zcrx-log-flusher`), never on a reactor. What an\n");
        sb.append("acknowledgement promises depends on the mode:\n\n");
        sb.append("| mode | settings | acks=1 / acks=all answered when | survives a process crash"
            + " | survives a power loss or kernel crash |\n");
        sb.append("|---|---|---|---|---|\n");
        sb.append("| page cache (default, Kafka's) | none"
            + " | the batch is written to the segment file (page cache)"
            + " | yes"
            + " | no: up to the last flush is lost; recovery truncates at the first bad batch |\n");
        sb.append("| interval flush | `log.flush.interval.ms` / topic `flush.ms`"
            + " | as above; the flusher fsyncs partitions whose oldest unflushed data is that old"
            + " | yes"
            + " | what was fsynced (at most that much is lost) |\n");
        sb.append("| message-count flush | `log.flush.interval.messages` / topic `flush.messages` = N"
            + " | as above, except that the append bringing a partition to N unflushed offsets is answered after its"
            + " fsync (Kafka flushes inline there)"
            + " | yes"
            + " | everything up to the last such append |\n");
        sb.append("| group commit | `log.flush.group.commit.enable=true`"
            + " | acks=all: after an fdatasync that covers the batch (shared by every batch appended meanwhile);"
            + " acks=1: as in page-cache mode"
            + " | yes"
            + " | acks=all: yes, every acknowledged batch; acks=1: no |\n\n");
        sb.append("acks=0 never waits. With group commit a failed fsync takes the partition offline and its waiting\n");
        sb.append("requests are answered KAFKA_STORAGE_ERROR (never success). A roll always makes a flush due, so\n");
        sb.append("recovery after a crash re-validates about one segment. Kafka's defaults never force an fsync\n");
        sb.append("(Kafka relies on replication, which a single node does not have): turn on group commit when\n");
        sb.append("acknowledged data must survive a power loss. Its cost is measured in docs/durability.md.\n");
        return sb.toString();
    }

    private static void table(StringBuilder sb, ConfigDef def) {
        sb.append("| setting | default | valid values | description |\n");
        sb.append("|---|---|---|---|\n");
        final List<ConfigDef.ConfigKey> keys = new ArrayList<>(def.configKeys().values());
        for (ConfigDef.ConfigKey k : keys) {
            sb.append("| `").append(k.name).append("` | ").append(defaultOf(k)).append(" | ")
                .append(k.validator == null ? k.type.toString().toLowerCase() : escape(k.validator.toString()))
                .append(" | ").append(escape(k.documentation)).append(" |\n");
        }
    }

    private static String defaultOf(ConfigDef.ConfigKey k) {
        if (!k.hasDefault()) {
            return "(required)";
        }
        if (k.defaultValue == null) {
            return "(unset)";
        }
        if (k.name.equals(BrokerConfig.NUM_NETWORK_THREADS)) {
            return "one per core, less one in eight from 8 cores up";
        }
        final String v = ConfigDef.convertToString(k.defaultValue, k.type);
        return v.isEmpty() ? "\"\"" : "`" + v + "`";
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
