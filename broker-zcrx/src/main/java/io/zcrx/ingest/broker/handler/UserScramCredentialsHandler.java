package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.ScramCredentialFile;
import io.zcrx.ingest.broker.security.ScramCredentials;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AlterUserScramCredentials and DescribeUserScramCredentials v0: what {@code kafka-configs --entity-type users
 * --alter --add-config 'SCRAM-SHA-512=[password=...]'} and {@code --describe} send. The client salts and hashes
 * (it sends salt, iterations and Hi(password, salt, i), never the password); the broker derives the stored and
 * server keys with kafka-clients' {@code ScramFormatter}.
 *
 * <p>Standalone, the alteration is checked with the rules of Kafka's controller ({@code ScramControlManager}:
 * a non-empty user, each user once per request, a known mechanism, 4096..16384 iterations, deleting only what
 * exists), applied to {@link ScramCredentials} and written to {@link ScramCredentialFile} before the answer, so
 * a user created this way can authenticate at once and after a restart. In cluster mode the request goes to the
 * controller, as Kafka's brokers forward it, and the credentials arrive through the metadata log. Describe is
 * answered from {@link ScramCredentials} in both modes (Kafka's brokers answer it from their metadata cache).
 *
 * <p>Thread-safe: alterations are serialised on this object.
 */
public final class UserScramCredentialsHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UserScramCredentialsHandler.class);

    private final BrokerContext ctx;

    public UserScramCredentialsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public void alter(RequestContext req, AlterUserScramCredentialsRequestData data) {
        if (ctx.clusterMode()) {
            ForwardToController.forward(ctx, req,
                new AlterUserScramCredentialsRequest.Builder(data).build(req.version()));
            return;
        }
        req.respond(alterStandalone(data, req.connection()));
    }

    synchronized AlterUserScramCredentialsResponseData alterStandalone(AlterUserScramCredentialsRequestData data,
                                                                      String who) {
        final AlterUserScramCredentialsResponseData resp = new AlterUserScramCredentialsResponseData();
        final ScramCredentials credentials = ctx.scramCredentials();
        final Set<String> seen = new HashSet<>();
        final Set<String> duplicates = new HashSet<>();
        for (ScramCredentialDeletion d : data.deletions()) {
            if (!seen.add(d.name())) {
                duplicates.add(d.name());
            }
        }
        for (ScramCredentialUpsertion u : data.upsertions()) {
            if (!seen.add(u.name())) {
                duplicates.add(u.name());
            }
        }
        // What was there before, to put back if the file cannot be written.
        final List<Runnable> undo = new ArrayList<>();
        final List<AlterUserScramCredentialsResult> applied = new ArrayList<>();
        for (ScramCredentialDeletion d : data.deletions()) {
            final AlterUserScramCredentialsResult r = new AlterUserScramCredentialsResult().setUser(d.name());
            resp.results().add(r);
            final String error = check(d.name(), d.mechanism(), duplicates);
            final ScramMechanism m = mechanism(d.mechanism());
            if (error != null) {
                reject(r, d.mechanism(), duplicates.contains(d.name()), error);
            } else if (credentials.of(d.name()).get(m) == null) {
                r.setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                    .setErrorMessage("Attempt to delete a user credential that does not exist");
            } else {
                final ScramCredential old = credentials.of(d.name()).get(m);
                credentials.remove(d.name(), m);
                undo.add(() -> credentials.put(d.name(), m, old));
                applied.add(r);
            }
        }
        for (ScramCredentialUpsertion u : data.upsertions()) {
            final AlterUserScramCredentialsResult r = new AlterUserScramCredentialsResult().setUser(u.name());
            resp.results().add(r);
            String error = check(u.name(), u.mechanism(), duplicates);
            final ScramMechanism m = mechanism(u.mechanism());
            if (error == null && m != null) {
                if (u.iterations() < m.minIterations()) {
                    error = "Too few iterations";
                } else if (u.iterations() > m.maxIterations()) {
                    error = "Too many iterations";
                } else if (u.salt() == null || u.salt().length == 0 || u.saltedPassword() == null
                        || u.saltedPassword().length == 0) {
                    error = "Salt and salted password must not be empty";
                }
            }
            if (error != null) {
                reject(r, u.mechanism(), duplicates.contains(u.name()), error);
                continue;
            }
            final ScramCredential c;
            try {
                c = new ScramFormatter(m).generateCredential(u.salt(), u.saltedPassword(), u.iterations());
            } catch (GeneralSecurityException | RuntimeException e) {
                r.setErrorCode(Errors.UNACCEPTABLE_CREDENTIAL.code()).setErrorMessage("Invalid credential");
                continue;
            }
            final ScramCredential old = credentials.of(u.name()).get(m);
            credentials.put(u.name(), m, c);
            undo.add(() -> {
                if (old == null) {
                    credentials.remove(u.name(), m);
                } else {
                    credentials.put(u.name(), m, old);
                }
            });
            applied.add(r);
        }
        if (!applied.isEmpty()) {
            final ScramCredentialFile file = ctx.scramCredentialFile();
            try {
                file.write(credentials);
            } catch (IOException e) {
                LOG.error("writing {} failed; the SCRAM credential change from {} is undone", file.path(), who, e);
                for (int i = undo.size() - 1; i >= 0; i--) {
                    undo.get(i).run();
                }
                for (AlterUserScramCredentialsResult r : applied) {
                    r.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()).setErrorMessage("Could not store the credential");
                }
                return resp;
            }
            LOG.info("SCRAM credentials altered by {}: {}", who, describeChange(data));
        }
        return resp;
    }

    /** The non-mechanism checks of Kafka's controller; null when the entry may be applied. */
    private static String check(String name, byte mechanism, Set<String> duplicates) {
        if (name == null || name.isEmpty()) {
            return "Username must not be empty";
        }
        if (duplicates.contains(name)) {
            return "A user credential cannot be altered twice in the same request";
        }
        if (mechanism(mechanism) == null) {
            return "Unknown SCRAM mechanism";
        }
        return null;
    }

    private static void reject(AlterUserScramCredentialsResult r, byte mechanism, boolean duplicate, String error) {
        final Errors code = duplicate ? Errors.DUPLICATE_RESOURCE
            : error.equals("Username must not be empty") || mechanism(mechanism) != null
                ? Errors.UNACCEPTABLE_CREDENTIAL : Errors.UNSUPPORTED_SASL_MECHANISM;
        r.setErrorCode(code.code()).setErrorMessage(error);
    }

    /** User names and mechanisms only: the request's salted passwords never reach a log. */
    private static String describeChange(AlterUserScramCredentialsRequestData data) {
        final List<String> parts = new ArrayList<>();
        for (ScramCredentialUpsertion u : data.upsertions()) {
            final ScramMechanism m = mechanism(u.mechanism());
            parts.add("set " + u.name() + " " + (m == null ? "?" : m.mechanismName()) + " (" + u.iterations()
                + " iterations)");
        }
        for (ScramCredentialDeletion d : data.deletions()) {
            final ScramMechanism m = mechanism(d.mechanism());
            parts.add("delete " + d.name() + " " + (m == null ? "?" : m.mechanismName()));
        }
        return String.join(", ", parts);
    }

    static ScramMechanism mechanism(byte type) {
        for (ScramMechanism m : ScramMechanism.values()) {
            if (m.type() == type) {
                return m;
            }
        }
        return null;
    }

    public DescribeUserScramCredentialsResponseData describe(DescribeUserScramCredentialsRequestData data) {
        final DescribeUserScramCredentialsResponseData resp = new DescribeUserScramCredentialsResponseData()
            .setErrorCode(Errors.NONE.code());
        final ScramCredentials credentials = ctx.scramCredentials();
        if (data.users() == null || data.users().isEmpty()) {
            for (Map.Entry<String, Map<ScramMechanism, ScramCredential>> u : credentials.all().entrySet()) {
                resp.results().add(result(u.getKey(), u.getValue()));
            }
            return resp;
        }
        final Set<String> seen = new HashSet<>();
        final Set<String> duplicates = new HashSet<>();
        for (UserName u : data.users()) {
            if (!seen.add(u.name())) {
                duplicates.add(u.name());
            }
        }
        final Set<String> answered = new HashSet<>();
        for (UserName u : data.users()) {
            if (!answered.add(u.name())) {
                continue;
            }
            if (duplicates.contains(u.name())) {
                resp.results().add(new DescribeUserScramCredentialsResult().setUser(u.name())
                    .setErrorCode(Errors.DUPLICATE_RESOURCE.code())
                    .setErrorMessage("Cannot describe SCRAM credentials for the same user twice in a single "
                        + "request: " + u.name()));
                continue;
            }
            final Map<ScramMechanism, ScramCredential> c = credentials.of(u.name());
            if (c.isEmpty()) {
                resp.results().add(new DescribeUserScramCredentialsResult().setUser(u.name())
                    .setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                    .setErrorMessage("Attempt to describe a user credential that does not exist: " + u.name()));
                continue;
            }
            resp.results().add(result(u.name(), c));
        }
        return resp;
    }

    private static DescribeUserScramCredentialsResult result(String user, Map<ScramMechanism, ScramCredential> c) {
        final DescribeUserScramCredentialsResult r = new DescribeUserScramCredentialsResult().setUser(user)
            .setErrorCode(Errors.NONE.code());
        for (Map.Entry<ScramMechanism, ScramCredential> e : c.entrySet()) {
            r.credentialInfos().add(new CredentialInfo().setMechanism(e.getKey().type())
                .setIterations(e.getValue().iterations()));
        }
        return r;
    }
}
