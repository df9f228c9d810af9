package io.zcrx.ingest.broker.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone credential file: round trip, no password on disk, a torn write leaves the old set. */
class ScramCredentialFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsSaltedCredentialsAndNeverThePassword() throws Exception {
        final ScramCredentials c = new ScramCredentials();
        final ScramCredential cred = new ScramFormatter(ScramMechanism.SCRAM_SHA_512)
            .generateCredential("the-password", 4096);
        c.put("alice smith=/,", ScramMechanism.SCRAM_SHA_512, cred);
        final ScramCredentialFile file = new ScramCredentialFile(dir);
        file.write(c);
        assertFalse(Files.readString(file.path()).contains("the-password"));
        final ScramCredentials back = new ScramCredentials();
        file.load(back);
        final ScramCredential r = back.get("alice smith=/,", ScramMechanism.SCRAM_SHA_512);
        assertArrayEquals(cred.storedKey(), r.storedKey());
        assertArrayEquals(cred.serverKey(), r.serverKey());
        assertEquals(4096, r.iterations());
    }

    @Test
    void aCrashBeforeTheRenameLeavesTheOldSet() throws Exception {
        final ScramCredentials c = new ScramCredentials();
        c.put("alice", ScramMechanism.SCRAM_SHA_256,
            new ScramFormatter(ScramMechanism.SCRAM_SHA_256).generateCredential("p", 4096));
        final ScramCredentialFile file = new ScramCredentialFile(dir);
        file.write(c);
        // A crash after the temp file was (partly) written and before the rename.
        Files.writeString(dir.resolve(ScramCredentialFile.FILE_NAME + ".tmp"), "SCRAM-SHA-256 Ym9i salt=",
            StandardCharsets.UTF_8);
        final ScramCredentials back = new ScramCredentials();
        file.load(back);
        assertTrue(back.get("alice", ScramMechanism.SCRAM_SHA_256) != null);
        assertEquals(1, back.all().size());
    }

    @Test
    void anUnreadableLineStopsTheLoadNamingTheLine() throws Exception {
        Files.writeString(dir.resolve(ScramCredentialFile.FILE_NAME), "# header\nSCRAM-SHA-256 Ym9i garbage\n");
        final IOException e = assertThrows(IOException.class,
            () -> new ScramCredentialFile(dir).load(new ScramCredentials()));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
}
