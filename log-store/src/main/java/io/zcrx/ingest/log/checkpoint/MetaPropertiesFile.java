package io.zcrx.ingest.log.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * A log directory's {@code meta.properties} in KRaft form, version 1 (docs/kafka-protocol-notes.md#partition-files;
 * Kafka's {@code MetaProperties} written with {@code Properties.store(writer, "")} as
 * {@code PropertiesUtils.writePropertiesFile} does):
 *
 * <pre>
 *   #
 *   #Sat Nov 23 15:38:00 UTC 2026
 *   node.id=1
 *   directory.id=9sYhYv1XTXWm4xP0a5o2tQ
 *   version=1
 *   cluster.id=Qk3b0aX2R0qfY3u3B0m2mA
 * </pre>
 *
 * <p>Immutable value plus read/write. Thread-safe.
 */
public final class MetaPropertiesFile {
    public static final String FILE_NAME = "meta.properties";
    public static final int VERSION = 1;

    public final String clusterId;
    public final int nodeId;
    public final Uuid directoryId;

    public MetaPropertiesFile(String clusterId, int nodeId, Uuid directoryId) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.directoryId = directoryId;
    }

    /** The file's content, or null if there is none. */
    public static MetaPropertiesFile read(Path logDir) throws IOException {
        final Path file = logDir.resolve(FILE_NAME);
        final Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (NoSuchFileException e) {
            return null;
        }
        final String version = props.getProperty("version");
        if (!String.valueOf(VERSION).equals(version)) {
            throw new IOException("unsupported meta.properties version: file=" + file + ", version=" + version);
        }
        final String clusterId = props.getProperty("cluster.id");
        final String nodeId = props.getProperty("node.id");
        final String directoryId = props.getProperty("directory.id");
        if (clusterId == null || clusterId.isEmpty() || nodeId == null) {
            throw new IOException("meta.properties lacks cluster.id or node.id: file=" + file + ", cluster.id="
                + clusterId + ", node.id=" + nodeId);
        }
        try {
            return new MetaPropertiesFile(clusterId, Integer.parseInt(nodeId.trim()),
                directoryId == null ? null : Uuid.fromString(directoryId.trim()));
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed meta.properties: file=" + file + ", node.id=" + nodeId
                + ", directory.id=" + directoryId, e);
        }
    }

    public void write(Path logDir) throws IOException {
        final Properties props = new Properties();
        props.setProperty("version", String.valueOf(VERSION));
        props.setProperty("cluster.id", clusterId);
        props.setProperty("node.id", String.valueOf(nodeId));
        if (directoryId != null) {
            props.setProperty("directory.id", directoryId.toString());
        }
        final StringWriter text = new StringWriter();
        props.store(text, "");
        AtomicFiles.write(logDir.resolve(FILE_NAME), text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A new directory id: random, avoiding the ids Kafka reserves (the zero UUID and the small values
     * {@code DirectoryId} uses for UNASSIGNED, LOST and MIGRATING: most significant bits 0 and least
     * significant bits below 100).
     */
    public static Uuid newDirectoryId() {
        while (true) {
            final Uuid id = Uuid.randomUuid();
            if (id.getMostSignificantBits() != 0 || id.getLeastSignificantBits() >= 100) {
                return id;
            }
        }
    }

    @Override
    public String toString() {
        return "MetaProperties(cluster.id=" + clusterId + ", node.id=" + nodeId + ", directory.id=" + directoryId + ")";
    }
}
