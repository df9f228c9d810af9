package io.zcrx.ingest.broker.cluster;

import io.zcrx.ingest.broker.config.BrokerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * {@code bin/zcrx-storage.sh}: Kafka's {@code kafka-storage.sh} for this broker, with Kafka's own
 * {@link Formatter}, so a directory it formats is what Kafka's tool writes for a broker
 * ({@code --no-initial-controllers}): {@code meta.properties} version 1 with the cluster id, the
 * node id and a new directory id in every log dir and in {@code metadata.log.dir}. The bootstrap
 * metadata the formatter also writes there is read by controllers only; it records the levels this
 * broker supports.
 *
 * <pre>
 *   zcrx-storage.sh random-uuid
 *   zcrx-storage.sh format -t CLUSTER_ID -c broker.properties [--ignore-formatted]
 * </pre>
 *
 * Exit codes: 0 done, 1 failed (the reason on stderr), 2 usage or configuration error.
 */
public final class StorageTool {
    private StorageTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && args[0].equals("random-uuid")) {
            out.println(Uuid.randomUuid());
            return 0;
        }
        if (args.length == 0 || !args[0].equals("format")) {
            return usage(err, null);
        }
        String clusterId = null;
        Path configFile = null;
        boolean ignoreFormatted = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "-t", "--cluster-id" -> clusterId = i + 1 < args.length ? args[++i] : null;
                case "-c", "--config" -> configFile = i + 1 < args.length ? Paths.get(args[++i]) : null;
                case "-g", "--ignore-formatted" -> ignoreFormatted = true;
                default -> {
                    return usage(err, "unknown argument " + args[i]);
                }
            }
        }
        if (clusterId == null || configFile == null) {
            return usage(err, "format needs -t CLUSTER_ID and -c CONFIG");
        }
        try {
            Uuid.fromString(clusterId);
        } catch (IllegalArgumentException e) {
            err.println("error: cluster id " + clusterId
                + " is not a base64 UUID (make one: zcrx-storage.sh random-uuid)");
            return 2;
        }
        final BrokerConfig config;
        try {
            config = new BrokerConfig(load(configFile));
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (ConfigException e) {
            err.println("configuration error: " + e.getMessage());
            return 2;
        }
        if (!config.clusterMode()) {
            err.println("error: " + configFile + " has no process.roles=broker: a standalone broker formats its own "
                + "log dirs at first start");
            return 2;
        }
        try {
            format(config, clusterId, ignoreFormatted, out);
            return 0;
        } catch (Exception e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** Formats the log dirs and the metadata log dir of {@code config} with {@code clusterId}. */
    static void format(BrokerConfig config, String clusterId, boolean ignoreFormatted, PrintStream out)
            throws Exception {
        final List<String> dirs = new ArrayList<>();
        for (Path d : config.logDirs()) {
            dirs.add(d.toString());
        }
        final String metadataDir = config.metadataLogDir().toString();
        if (!dirs.contains(metadataDir)) {
            dirs.add(metadataDir);
        }
        final Formatter formatter = new Formatter().setPrintStream(out).setNodeId(config.nodeId())
            .setClusterId(clusterId).setDirectories(dirs).setMetadataLogDirectory(metadataDir)
            .setControllerListenerName(config.controllerListenerNames().get(0)).setIgnoreFormatted(ignoreFormatted)
            .setSupportedFeatures(Feature.PRODUCTION_FEATURES).setReleaseVersion(MetadataVersion.LATEST_PRODUCTION);
        for (Map.Entry<String, ?> f : SupportedFeatures.ranges().entrySet()) {
            if (!f.getKey().equals(MetadataVersion.FEATURE_NAME) && !f.getKey().equals("kraft.version")) {
                formatter.setFeatureLevel(f.getKey(), (short) 0);
            }
        }
        formatter.run();
    }

    private static Map<String, String> load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("properties file not found: " + file.toAbsolutePath());
        }
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        final Map<String, String> m = new HashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k).trim());
        }
        return m;
    }

    private static int usage(PrintStream err, String problem) {
        if (problem != null) {
            err.println("error: " + problem);
        }
        err.println("usage: zcrx-storage.sh random-uuid");
        err.println("       zcrx-storage.sh format -t CLUSTER_ID -c broker.properties [--ignore-formatted]");
        return 2;
    }
}
