package io.zcrx.ingest.broker.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes a node's {@code .properties} file in a readable order (a test's record of how the node ran). */
final class PropertiesFiles {
    private PropertiesFiles() {
    }

    /** Writes {@code key=value} lines in the map's iteration order (use a LinkedHashMap). */
    static Path write(Path file, Map<String, String> settings) throws IOException {
        Files.createDirectories(file.getParent());
        final String body = settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(file, body, StandardCharsets.UTF_8);
        return file;
    }
}
