package io.zcrx.ingest.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

    @Test
    void configurationReferenceIsCurrent() throws Exception {
        // Goal: docs/configuration.md lists exactly the settings the code defines, with their
        // defaults and ranges. Method: render from the ConfigDefs and compare with the committed file.
        Path doc = Paths.get("..", "docs", "configuration.md");
        if (!Files.exists(doc)) {
            doc = Paths.get("docs", "configuration.md");
        }
        assertEquals(ConfigDocs.render(), Files.readString(doc),
            "docs/configuration.md is stale: regenerate it with io.zcrx.ingest.broker.config.ConfigDocs");
    }
}
