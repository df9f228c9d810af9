package io.zcrx.ingest.broker.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker settings an operator may change at run time ({@code kafka-configs --entity-type brokers}), Kafka's
 * {@code DynamicBrokerConfig} for the settings this broker has: a per-broker layer ({@code --entity-name <id>},
 * DYNAMIC_BROKER_CONFIG) over a cluster-default layer ({@code --entity-default}, DYNAMIC_DEFAULT_BROKER_CONFIG) over
 * the properties file (STATIC_BROKER_CONFIG) over the defaults (DEFAULT_CONFIG). {@link #current()} is the
 * effective {@link BrokerConfig}: the properties file's settings with both layers on top, validated as a whole.
 *
 * <p>Which keys are dynamic is {@link #isDynamic}: as in Kafka's {@code DynamicLogConfig}, every broker default of a
 * topic setting ({@code log.retention.ms}, {@code log.segment.bytes}, ...; a change reaches every topic without its
 * own override through the listeners, {@link #addListener}), and the log cleaner's {@code log.cleaner.*} settings
 * but {@code log.cleaner.enable} (Kafka's {@code LogCleaner.ReconfigurableConfigs}; whoever owns a setting applies
 * it from a listener). Everything else is read-only: a change is refused with Kafka's "Cannot update these configs
 * dynamically" message.
 *
 * <p>Standalone mode keeps both layers in {@code <first log dir>/}{@value #FILE_NAME} (written to a temporary file,
 * fsynced and renamed over the old one, so a crash leaves either version whole). Cluster mode keeps none: the
 * controller owns broker configs there (Kafka's brokers forward IncrementalAlterConfigs and AlterConfigs after
 * {@link #check}ing a BROKER change, the controller stores ConfigRecords), and the layers are the metadata log's
 * BROKER resources "" and this node's id, applied by {@link #applyFromMetadata} as Kafka's
 * {@code DynamicConfigPublisher} does; a key this broker does not change at run time, or a value it cannot use, is
 * logged and ignored there (the controller's state is never refused).
 *
 * <p>Thread-safe: changes are serialised on this object; {@link #current()} is a volatile read.
 */
public final class DynamicBrokerConfig {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicBrokerConfig.class);
    /** The file of both layers, in the first log directory. */
    public static final String FILE_NAME = "zcrx-dynamic-broker-configs.properties";
    private static final String DEFAULT_PREFIX = "default.";
    private static final String BROKER_PREFIX = "broker.";

    /** Read-only even though their names start like dynamic ones. */
    private static final Set<String> READ_ONLY = Set.of("log.cleaner.enable");
    /** Dynamic besides the topic settings' broker defaults: their alternative units. */
    private static final Set<String> EXTRA_DYNAMIC = Set.of(BrokerConfig.LOG_RETENTION_HOURS,
        BrokerConfig.LOG_RETENTION_MINUTES, BrokerConfig.LOG_ROLL_HOURS);

    private final BrokerConfig staticConfig;
    private final Path file;
    private final List<Consumer<BrokerConfig>> listeners = new CopyOnWriteArrayList<>();
    private Map<String, String> clusterDefault;
    private Map<String, String> perBroker;
    private volatile BrokerConfig current;

    private DynamicBrokerConfig(BrokerConfig staticConfig, Path file, Map<String, String> clusterDefault,
                                Map<String, String> perBroker) {
        this.staticConfig = staticConfig;
        this.file = file;
        this.clusterDefault = clusterDefault;
        this.perBroker = perBroker;
        this.current = merge(staticConfig, clusterDefault, perBroker);
    }

    /** No dynamic layers and nothing persisted (tests); cluster mode's start empty too until the metadata's apply. */
    public static DynamicBrokerConfig none(BrokerConfig staticConfig) {
        return new DynamicBrokerConfig(staticConfig, null, Map.of(), Map.of());
    }

    /**
     * Standalone: the layers kept in {@code <first log dir>/}{@value #FILE_NAME}, if any.
     *
     * @throws IOException if the file cannot be read or holds a setting that is not dynamic or not valid (naming
     *                     the file, key and value), so the broker does not start with settings it would misapply
     */
    public static DynamicBrokerConfig load(BrokerConfig staticConfig) throws IOException {
        final Path file = staticConfig.logDirs().get(0).resolve(FILE_NAME);
        final Map<String, String> defaults = new TreeMap<>();
        final Map<String, String> broker = new TreeMap<>();
        if (Files.exists(file)) {
            final Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith(DEFAULT_PREFIX)) {
                    defaults.put(k.substring(DEFAULT_PREFIX.length()), p.getProperty(k));
                } else if (k.startsWith(BROKER_PREFIX)) {
                    broker.put(k.substring(BROKER_PREFIX.length()), p.getProperty(k));
                } else {
                    throw new IOException("dynamic broker settings file " + file + ": unexpected key " + k);
                }
            }
            final String bad = validate(staticConfig, defaults, broker);
            if (bad != null) {
                throw new IOException("dynamic broker settings file " + file + " is invalid: " + bad);
            }
            LOG.info("dynamic broker settings from {}: cluster default {}, broker {}", file, defaults, broker);
        }
        return new DynamicBrokerConfig(staticConfig, file, defaults, broker);
    }

    /** True if {@code key} may change at run time (see the class comment). */
    public static boolean isDynamic(String key) {
        if (READ_ONLY.contains(key) || !BrokerConfig.configDef().names().contains(key)) {
            return false;
        }
        return TopicConfigs.isBrokerDefault(key) || EXTRA_DYNAMIC.contains(key) || key.startsWith("log.cleaner.");
    }

    /** The effective configuration: the properties file with both dynamic layers on top. */
    public BrokerConfig current() {
        return current;
    }

    /** The properties file's configuration alone. */
    public BrokerConfig staticConfig() {
        return staticConfig;
    }

    /** Told the new effective configuration after every change (on the thread that made it). */
    public void addListener(Consumer<BrokerConfig> listener) {
        listeners.add(listener);
    }

    /** The dynamic settings of one layer: {@code clusterDefault} or this broker's own. */
    public synchronized Map<String, String> layer(boolean clusterDefaultLayer) {
        return Collections.unmodifiableMap(clusterDefaultLayer ? clusterDefault : perBroker);
    }

    /** Where {@code key}'s effective value comes from, DescribeConfigs' ConfigSource. */
    public synchronized ConfigSource source(String key) {
        if (perBroker.containsKey(key)) {
            return ConfigSource.DYNAMIC_BROKER_CONFIG;
        }
        if (clusterDefault.containsKey(key)) {
            return ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
        }
        return staticConfig.originals().containsKey(key) ? ConfigSource.STATIC_BROKER_CONFIG
            : ConfigSource.DEFAULT_CONFIG;
    }

    /** The outcome of {@link #replace}: null error when it was applied (or would be, with validateOnly). */
    public record Result(Errors error, String message) {
        static final Result OK = new Result(Errors.NONE, null);
    }

    /**
     * Whether one layer replaced with {@code settings} makes a valid configuration: every key must be dynamic
     * (INVALID_REQUEST otherwise, with Kafka's "Cannot update these configs dynamically" message) and the result
     * valid (INVALID_CONFIG naming key and value). Cluster mode checks a change with it before forwarding it.
     */
    public synchronized Result check(boolean clusterDefaultLayer, Map<String, String> settings) {
        final Set<String> readOnly = new TreeSet<>();
        for (String k : settings.keySet()) {
            if (!isDynamic(k)) {
                readOnly.add(k);
            }
        }
        if (!readOnly.isEmpty()) {
            return new Result(Errors.INVALID_REQUEST,
                "Cannot update these configs dynamically: " + readOnly);
        }
        final String bad = validate(staticConfig, clusterDefaultLayer ? settings : clusterDefault,
            clusterDefaultLayer ? perBroker : settings);
        return bad == null ? Result.OK : new Result(Errors.INVALID_CONFIG, bad);
    }

    /**
     * Replaces one layer with {@code settings} (IncrementalAlterConfigs computes them from the layer it read,
     * AlterConfigs sends them whole), standalone only: {@link #check}ed, then, unless {@code validateOnly}, the file
     * is written and the listeners told.
     */
    public synchronized Result replace(boolean clusterDefaultLayer, Map<String, String> settings,
                                       boolean validateOnly) {
        if (file == null) {
            return new Result(Errors.INVALID_REQUEST,
                "dynamic broker configs are kept by the controller in cluster mode");
        }
        final Result checked = check(clusterDefaultLayer, settings);
        if (checked.error() != Errors.NONE || validateOnly) {
            return checked;
        }
        final Map<String, String> defaults = clusterDefaultLayer ? new TreeMap<>(settings) : clusterDefault;
        final Map<String, String> broker = clusterDefaultLayer ? perBroker : new TreeMap<>(settings);
        try {
            write(defaults, broker);
        } catch (IOException e) {
            LOG.error("writing dynamic broker settings to {} failed", file, e);
            return new Result(Errors.KAFKA_STORAGE_ERROR,
                "writing " + file + " failed: " + e.getMessage());
        }
        install(defaults, broker, merge(staticConfig, defaults, broker));
        return Result.OK;
    }

    /**
     * Cluster mode: both layers as the metadata log now holds them (the BROKER resource "" and this node's id),
     * applied as Kafka's {@code DynamicConfigPublisher} applies them. Nothing is refused: a key that is not dynamic
     * here (or unknown to this broker), or a value that is not valid on its own, is logged and left out; if the
     * remaining keys still do not make a valid configuration together, the previous one stays (logged). The
     * listeners are told when something changed. Called on the metadata loader's thread.
     */
    public synchronized void applyFromMetadata(Map<String, String> clusterDefaultLayer,
                                               Map<String, String> perBrokerLayer) {
        if (file != null) {
            throw new IllegalStateException("standalone broker settings do not come from the metadata log");
        }
        final Map<String, String> defaults = usable("cluster default", clusterDefaultLayer);
        final Map<String, String> broker = usable("broker", perBrokerLayer);
        if (defaults.equals(clusterDefault) && broker.equals(perBroker)) {
            return;
        }
        final BrokerConfig next;
        try {
            next = merge(staticConfig, defaults, broker);
        } catch (ConfigException e) {
            LOG.error("dynamic broker settings from the metadata log (cluster default {}, broker {}) are not valid "
                + "together, keeping the previous ones: {}", defaults, broker, e.getMessage());
            return;
        }
        install(defaults, broker, next);
    }

    /** The keys of a metadata layer this broker can apply, each valid on its own over the static configuration. */
    private Map<String, String> usable(String layerName, Map<String, String> layer) {
        final Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : layer.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            if (!isDynamic(e.getKey())) {
                LOG.info("dynamic broker setting {} ({} layer, metadata log) is not changed at run time by this "
                    + "broker; ignored", e.getKey(), layerName);
                continue;
            }
            try {
                merge(staticConfig, Map.of(e.getKey(), e.getValue()), Map.of());
                out.put(e.getKey(), e.getValue());
            } catch (ConfigException ex) {
                LOG.warn("dynamic broker setting {}={} ({} layer, metadata log) is not valid here; ignored: {}",
                    e.getKey(), e.getValue(), layerName, ex.getMessage());
            }
        }
        return out;
    }

    /** Makes {@code next} current and tells the listeners. Lock held. */
    private void install(Map<String, String> defaults, Map<String, String> broker, BrokerConfig next) {
        clusterDefault = defaults;
        perBroker = broker;
        current = next;
        LOG.info("dynamic broker settings changed: cluster default {}, broker {}", defaults, broker);
        for (Consumer<BrokerConfig> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.error("applying dynamic broker settings failed in {}", l, e);
            }
        }
    }

    /** Null if both layers on top of the static configuration make a valid one, else why not. */
    private static String validate(BrokerConfig base, Map<String, String> defaults, Map<String, String> broker) {
        final List<String> readOnly = new ArrayList<>();
        for (Map<String, String> layer : List.of(defaults, broker)) {
            for (String k : layer.keySet()) {
                if (!isDynamic(k)) {
                    readOnly.add(k);
                }
            }
        }
        if (!readOnly.isEmpty()) {
            return "Cannot update these configs dynamically: " + readOnly;
        }
        try {
            merge(base, defaults, broker);
            return null;
        } catch (ConfigException e) {
            return e.getMessage();
        }
    }

    private static BrokerConfig merge(BrokerConfig base, Map<String, String> defaults, Map<String, String> broker) {
        if (defaults.isEmpty() && broker.isEmpty()) {
            return base;
        }
        final Map<String, Object> props = new HashMap<>(base.originals());
        props.putAll(defaults);
        props.putAll(broker);
        return new BrokerConfig(props);
    }

    private void write(Map<String, String> defaults, Map<String, String> broker) throws IOException {
        final Properties p = new Properties();
        defaults.forEach((k, v) -> p.setProperty(DEFAULT_PREFIX + k, v));
        broker.forEach((k, v) -> p.setProperty(BROKER_PREFIX + k, v));
        final Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "dynamic broker settings (kafka-configs --entity-type brokers); default.* = --entity-default,"
                + " broker.* = this broker");
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
