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
        sb.append("Generated from the code by `io.zcrx.ingest.broker.config.ConfigDocs` (a test keeps this file in\n");
        sb.append("sync). Settings go in `config/server.properties` or on the command line as `--override key=value`.\n");
        sb.append("Names are Apache Kafka's where Kafka has the setting. Every value is validated at start; a bad one\n");
        sb.append("stops the broker with `configuration error: Invalid value V for configuration K: reason`. Keys this\n");
        sb.append("broker does not implement are listed in one warning at start and otherwise ignored.\n\n");
        sb.append("## Broker settings\n\n");
        table(sb, BrokerConfig.configDef());
        sb.append("\n## Topic settings\n\n");
        sb.append("Set per topic at creation (`kafka-topics --create --config k=v`, AdminClient `NewTopic.configs`).\n");
        sb.append("Unset ones follow the broker setting named in the last column. Any other topic setting (compaction,\n");
        sb.append("tiered storage, ...) is refused with INVALID_CONFIG.\n\n");
        sb.append("| topic setting | valid values | follows broker setting | description |\n");
        sb.append("|---|---|---|---|\n");
        final Map<String, TopicConfigs.Entry> eff = TopicConfigs.effective(new BrokerConfig(Map.of()), Map.of());
        for (TopicConfigs.Entry e : eff.values()) {
            sb.append("| `").append(e.name()).append("` | ").append(TopicConfigs.validRange(e.name())).append(" | `")
                .append(e.brokerSynonym()).append("` | ").append(escape(e.documentation())).append(" |\n");
        }
        sb.append("\n## Durability of acknowledged writes\n\n");
        sb.append("An append returns (and acks=1/all are answered) once the batch is written to the segment file,\n");
        sb.append("i.e. in the page cache: acknowledged data survives a crash of the broker process. Surviving a power\n");
        sb.append("loss or kernel crash needs an fsync: `log.flush.interval.messages` / `log.flush.interval.ms` (or\n");
        sb.append("the topic's `flush.messages` / `flush.ms`) make the flusher fsync partitions on that schedule, as\n");
        sb.append("in Kafka. Kafka's defaults never force an fsync (Kafka relies on replication; a single node has\n");
        sb.append("none), so set them when power-loss durability matters more than throughput.\n");
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
            return "half the cores, at least 1";
        }
        final String v = ConfigDef.convertToString(k.defaultValue, k.type);
        return v.isEmpty() ? "\"\"" : "`" + v + "`";
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
