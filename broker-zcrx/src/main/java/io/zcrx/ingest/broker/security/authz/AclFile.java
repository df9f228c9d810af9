package io.zcrx.ingest.broker.security.authz;

import io.zcrx.ingest.log.checkpoint.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.metadata.authorizer.StandardAcl;

/**
 * Standalone mode's ACLs on disk: {@code <first log dir>/zcrx-acls}, one ACL per line with the fields of Kafka's
 * {@code AccessControlEntryRecord}: {@code <id> <resource type> <pattern type> <resource name> <principal> <host>
 * <operation> <permission>}, enums by Kafka's names, the three strings base64url (a name may hold spaces). Every
 * change rewrites the file the crash-safe way ({@link AtomicFiles}: temp file, fsync, rename, directory fsync), so
 * after a crash it holds the old or the new set, never a mix. A line that cannot be read stops the start naming the
 * file and line: silently dropping a DENY would widen access.
 *
 * <p>Not thread-safe: the caller serialises writes.
 */
public final class AclFile {
    public static final String FILE_NAME = "zcrx-acls";
    private static final String HEADER = "# zcrx ACLs v1: <id> <resource type> <pattern type> "
        + "<resource name, base64url> <principal, base64url> <host, base64url> <operation> <permission>";

    private final Path file;

    public AclFile(Path logDir) {
        this.file = logDir.resolve(FILE_NAME);
    }

    public Path path() {
        return file;
    }

    /** Every ACL of the file by id, in file order; a missing file is an empty set. */
    public Map<Uuid, StandardAcl> load() throws IOException {
        final Map<Uuid, StandardAcl> out = new LinkedHashMap<>();
        final List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        }
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            final String[] f = line.split(" ");
            try {
                if (f.length != 8) {
                    throw new IllegalArgumentException("expected 8 fields, found " + f.length);
                }
                final StandardAcl acl = new StandardAcl(ResourceType.valueOf(f[1]), decode(f[3]),
                    PatternType.valueOf(f[2]), decode(f[4]), decode(f[5]), AclOperation.valueOf(f[6]),
                    AclPermissionType.valueOf(f[7]));
                out.put(Uuid.fromString(f[0]), acl);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + ": not an ACL (" + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    /** Replaces the file with {@code acls}. */
    public void write(Map<Uuid, StandardAcl> acls) throws IOException {
        final StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Map.Entry<Uuid, StandardAcl> e : acls.entrySet()) {
            final StandardAcl a = e.getValue();
            sb.append(e.getKey()).append(' ').append(a.resourceType().name()).append(' ')
                .append(a.patternType().name()).append(' ').append(encode(a.resourceName())).append(' ')
                .append(encode(a.principal())).append(' ').append(encode(a.host())).append(' ')
                .append(a.operation().name()).append(' ').append(a.permissionType().name()).append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String s) {
        return Base64.getUrlEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String s) {
        return new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
