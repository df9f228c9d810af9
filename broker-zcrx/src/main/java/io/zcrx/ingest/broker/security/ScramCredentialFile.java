package io.zcrx.ingest.broker.security;

import io.zcrx.ingest.log.checkpoint.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramCredentialUtils;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * Standalone mode's SCRAM credentials on disk: {@code <first log dir>/zcrx-scram-credentials}, one line per
 * user and mechanism, {@code <mechanism> <user, base64url> salt=..,stored_key=..,server_key=..,iterations=..}
 * (kafka-clients' {@code ScramCredentialUtils} form, which Kafka also stores: salted, never a password).
 * Every change rewrites the file the crash-safe way of the other checkpoint files ({@link AtomicFiles}: temp
 * file, fsync, rename, directory fsync), so after a crash it holds the old or the new set, never a mix; a
 * leftover {@code .tmp} is ignored. A line that cannot be read stops the start naming the file and line:
 * silently dropping a credential would lock a user out.
 *
 * <p>Not thread-safe: the caller serialises writes.
 */
public final class ScramCredentialFile {
    public static final String FILE_NAME = "zcrx-scram-credentials";
    private static final String HEADER =
        "# zcrx SCRAM credentials v1: <mechanism> <user, base64url> <salted credential>";

    private final Path file;

    public ScramCredentialFile(Path logDir) {
        this.file = logDir.resolve(FILE_NAME);
    }

    public Path path() {
        return file;
    }

    /** Reads every credential into {@code into}; a missing file is an empty set. */
    public void load(ScramCredentials into) throws IOException {
        final List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        }
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            final String[] parts = line.split(" ");
            final ScramMechanism mechanism = parts.length == 3 ? ScramMechanism.forMechanismName(parts[0]) : null;
            if (mechanism == null) {
                throw new IOException(file + " line " + (i + 1) + ": not '<mechanism> <user> <credential>'");
            }
            final String user;
            final ScramCredential credential;
            try {
                user = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
                credential = ScramCredentialUtils.credentialFromString(parts[2]);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + ": unreadable user or credential", e);
            }
            into.put(user, mechanism, credential);
        }
    }

    /** Replaces the file with every credential of {@code from}. */
    public void write(ScramCredentials from) throws IOException {
        final StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Map.Entry<String, Map<ScramMechanism, ScramCredential>> u : from.all().entrySet()) {
            final String user = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(u.getKey().getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<ScramMechanism, ScramCredential> c : u.getValue().entrySet()) {
                sb.append(c.getKey().mechanismName()).append(' ').append(user).append(' ')
                    .append(ScramCredentialUtils.credentialToString(c.getValue())).append('\n');
            }
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
