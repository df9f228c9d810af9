package io.zcrx.ingest.broker.security;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;

/**
 * The server side of one SCRAM-SHA-256/512 exchange (RFC 5802, RFC 7677) against {@link ScramCredentials}, with
 * the checks of kafka-clients' {@code ScramSaslServer} and one tolerance Kafka 3.8.1 to 3.9 also had: the
 * client-final-message nonce of librdkafka before 2.6.1.
 *
 * <p>Why not kafka-clients' {@code ScramSaslServer} itself: librdkafka up to 2.6.0 (Debian's kcat links 2.0.2)
 * builds its client-final-message nonce as {@code c-nonce + (c-nonce + s-nonce)}, i.e. the client nonce a
 * second time in front of the whole nonce the server sent (librdkafka PR #4895, "present since v0.0.99").
 * Kafka 3.8.1 started checking that nonce (CVE-2024-56128) with {@code endsWith} so those clients kept
 * working; kafka-clients 4.x compares with {@code equals} and refuses them with "Invalid client nonce in the
 * final client message", which a broker reports as "invalid credentials". Here the nonce must be either the
 * server's nonce ({@code c-nonce + s-nonce}, RFC 5802) or exactly that one librdkafka form: narrower than
 * Kafka 3.9's {@code endsWith}. It is safe: the form still carries the server's fresh nonce, and the proof
 * is an HMAC over the AuthMessage, which holds the server-first-message (that nonce, the salt) and the
 * client-final-message as sent, so a proof from another exchange never verifies.
 *
 * <p>The message parsing and the cryptography are kafka-clients' ({@link ClientFirstMessage},
 * {@link ClientFinalMessage}, {@link ScramFormatter}: the formats and keys every Kafka broker uses); the
 * proof compare is constant-time. Exception messages never quote a message, a proof or a key: SaslSession
 * logs them.
 *
 * <p>Not thread-safe: one per exchange, on its connection's reactor thread.
 */
final class ScramServer implements SaslServer {
    private enum State { CLIENT_FIRST, CLIENT_FINAL, COMPLETE, FAILED }

    private final ScramMechanism mechanism;
    private final ScramFormatter formatter;
    private final ScramCredentials credentials;
    private final SaslListener listener;
    private State state = State.CLIENT_FIRST;
    private ClientFirstMessage clientFirst;
    private ServerFirstMessage serverFirst;
    private ScramCredential credential;
    private String user;

    ScramServer(ScramMechanism mechanism, ScramCredentials credentials, SaslListener listener)
        throws NoSuchAlgorithmException {
        this.mechanism = mechanism;
        this.formatter = new ScramFormatter(mechanism);
        this.credentials = credentials;
        this.listener = listener;
    }

    @Override
    public byte[] evaluateResponse(byte[] response) throws SaslException {
        try {
            switch (state) {
                case CLIENT_FIRST:
                    return clientFirst(response);
                case CLIENT_FINAL:
                    return clientFinal(response);
                default:
                    throw new SaslException("SCRAM message after the exchange ended (state " + state + ")");
            }
        } catch (SaslException | RuntimeException e) {
            state = State.FAILED;
            forget();
            throw e;
        }
    }

    private byte[] clientFirst(byte[] response) throws SaslException {
        try {
            clientFirst = new ClientFirstMessage(response);
        } catch (SaslException | RuntimeException e) {
            // Its message quotes the client's text.
            throw new SaslException("invalid SCRAM client-first-message");
        }
        if (clientFirst.extensions().tokenAuthenticated()) {
            // Delegation tokens are not issued by this broker (Kafka: "Token Authentication failed").
            throw new SaslException("SCRAM delegation-token authentication is not supported");
        }
        final String name;
        try {
            name = ScramFormatter.username(clientFirst.saslName());
        } catch (IllegalArgumentException e) {
            throw new SaslException("invalid SCRAM user name encoding");
        }
        credential = credentials.get(name, mechanism);
        if (credential == null) {
            throw new SaslException("Authentication failed: Invalid user credentials");
        }
        final String authzid = clientFirst.authorizationId();
        if (!authzid.isEmpty() && !authzid.equals(name)) {
            // Kafka answers this one to the client as is.
            throw new SaslAuthenticationException(
                "Authentication failed: Client requested an authorization id that is different from username");
        }
        if (credential.iterations() < mechanism.minIterations()) {
            throw new SaslException("Iterations " + credential.iterations() + " is less than the minimum "
                + mechanism.minIterations() + " for " + mechanism.mechanismName());
        }
        user = name;
        serverFirst = new ServerFirstMessage(clientFirst.nonce(), formatter.secureRandomString(), credential.salt(),
            credential.iterations());
        state = State.CLIENT_FINAL;
        return serverFirst.toBytes();
    }

    private byte[] clientFinal(byte[] response) throws SaslException {
        final ClientFinalMessage clientFinal;
        try {
            clientFinal = new ClientFinalMessage(response);
        } catch (SaslException | RuntimeException e) {
            // Its message quotes the client's text, proof included.
            throw new SaslException("invalid SCRAM client-final-message");
        }
        final String nonce = clientFinal.nonce();
        if (!nonce.equals(serverFirst.nonce())) {
            if (!nonce.equals(clientFirst.nonce() + serverFirst.nonce())) {
                throw new SaslException("Invalid client nonce in the final client message.");
            }
            listener.librdkafkaNonce(user);
        }
        try {
            final byte[] signature = formatter.clientSignature(credential.storedKey(), clientFirst, serverFirst,
                clientFinal);
            if (signature.length != clientFinal.proof().length) {
                throw new SaslException("Invalid client credentials");
            }
            final byte[] storedKey = formatter.storedKey(signature, clientFinal.proof());
            if (!MessageDigest.isEqual(storedKey, credential.storedKey())) {
                throw new SaslException("Invalid client credentials");
            }
            final byte[] serverSignature = formatter.serverSignature(credential.serverKey(), clientFirst,
                serverFirst, clientFinal);
            state = State.COMPLETE;
            forget();
            return new ServerFinalMessage(null, serverSignature).toBytes();
        } catch (InvalidKeyException e) {
            throw new SaslException("Authentication failed: Invalid client final message");
        }
    }

    private void forget() {
        credential = null;
        clientFirst = null;
        serverFirst = null;
    }

    @Override
    public String getMechanismName() {
        return mechanism.mechanismName();
    }

    @Override
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    @Override
    public String getAuthorizationID() {
        if (state != State.COMPLETE) {
            throw new IllegalStateException("SCRAM exchange has not completed");
        }
        return user;
    }

    @Override
    public byte[] unwrap(byte[] incoming, int offset, int len) {
        throw new IllegalStateException("SCRAM supports neither integrity nor privacy");
    }

    @Override
    public byte[] wrap(byte[] outgoing, int offset, int len) {
        throw new IllegalStateException("SCRAM supports neither integrity nor privacy");
    }

    @Override
    public Object getNegotiatedProperty(String propName) {
        return null;
    }

    @Override
    public void dispose() {
        forget();
    }
}
