package io.zcrx.ingest.broker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SCRAM-SHA-512 exchanges through a real {@link SaslSession} of a SASL_PLAINTEXT listener, the client side built
 * with kafka-clients: kafka-clients' own SCRAM client logs in; librdkafka's pre-2.6.1 client-final nonce
 * ({@code c-nonce + c-nonce + s-nonce}) with a right proof logs in; any other nonce, a wrong password, an unknown
 * user and garbage are refused with SASL_AUTHENTICATION_FAILED and a close reason naming the failed check.
 */
class ScramServerTest {
    private static final ScramMechanism M = ScramMechanism.SCRAM_SHA_512;
    private final ScramCredentials credentials = new ScramCredentials();
    private SaslListener listener;
    private ScramFormatter formatter;

    @BeforeEach
    void setUp() throws Exception {
        formatter = new ScramFormatter(M);
        credentials.put("carol", M, formatter.generateCredential("carol-secret", 4096));
        final BrokerConfig config = new BrokerConfig(Map.of(BrokerConfig.LISTENERS, "SASL_PLAINTEXT://127.0.0.1:0",
            "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "SCRAM-SHA-512"));
        listener = SaslListener.create(config, config.listeners().get(0), credentials);
    }

    private SaslSession handshaken() {
        final SaslSession s = new SaslSession(listener);
        assertEquals(Errors.NONE.code(), s.handshake(M.mechanismName(), (short) 1).errorCode());
        return s;
    }

    @Test
    void kafkaClientsScramClientLogsIn() throws Exception {
        final ScramSaslClient client = new ScramSaslClient(M, callbacks -> {
            for (Callback c : callbacks) {
                if (c instanceof NameCallback n) {
                    n.setName("carol");
                } else if (c instanceof PasswordCallback p) {
                    p.setPassword("carol-secret".toCharArray());
                } else {
                    throw new UnsupportedCallbackException(c);
                }
            }
        });
        final SaslSession s = handshaken();
        byte[] token = client.evaluateChallenge(new byte[0]);
        SaslAuthenticateResponseData r = null;
        while (!client.isComplete()) {
            r = s.authenticate(token, (short) 2, System.nanoTime());
            assertEquals(Errors.NONE.code(), r.errorCode(), r.errorMessage());
            token = client.evaluateChallenge(r.authBytes());
        }
        assertTrue(s.mayServe(System.nanoTime()));
        assertEquals(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "carol"), s.principal());
        assertEquals(0, listener.librdkafkaNonces());
    }

    @Test
    void librdkafkasRepeatedClientNonceWithARightProofLogsIn() throws Exception {
        final SaslSession s = handshaken();
        final Exchange x = new Exchange(s, "carol");
        final SaslAuthenticateResponseData r = x.finish(x.clientNonce + x.serverFirst.nonce(), "carol-secret");
        assertEquals(Errors.NONE.code(), r.errorCode(), r.errorMessage());
        assertTrue(new String(r.authBytes(), StandardCharsets.UTF_8).startsWith("v="));
        assertEquals("carol", s.principal().getName());
        assertEquals(1, listener.librdkafkaNonces());
    }

    @Test
    void rfcNonceWithARightProofLogsIn() throws Exception {
        final SaslSession s = handshaken();
        final Exchange x = new Exchange(s, "carol");
        assertEquals(Errors.NONE.code(), x.finish(x.serverFirst.nonce(), "carol-secret").errorCode());
        assertEquals(0, listener.librdkafkaNonces());
    }

    @Test
    void anyOtherNonceIsRefusedEvenWithAProofOverIt() throws Exception {
        // Each with a proof computed over the nonce it sends: only the nonce check can refuse them. The second
        // and third would pass Kafka 3.9's endsWith check; the form accepted here is exactly librdkafka's.
        for (String prefix : new String[] {"", "x", "zz"}) {
            final SaslSession s = handshaken();
            final Exchange x = new Exchange(s, "carol");
            final String nonce = prefix.isEmpty() ? x.clientNonce : prefix + x.serverFirst.nonce();
            final SaslAuthenticateResponseData r = x.finish(nonce, "carol-secret");
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), r.errorCode());
            assertFalse(s.mayServe(System.nanoTime()));
            assertNull(s.principal());
            assertTrue(s.closeReason().contains("Invalid client nonce"), s.closeReason());
        }
    }

    @Test
    void aWrongPasswordIsRefusedInEitherNonceForm() throws Exception {
        for (boolean librdkafka : new boolean[] {false, true}) {
            final SaslSession s = handshaken();
            final Exchange x = new Exchange(s, "carol");
            final SaslAuthenticateResponseData r = x.finish(
                (librdkafka ? x.clientNonce : "") + x.serverFirst.nonce(), "wrong");
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), r.errorCode());
            assertFalse(s.mayServe(System.nanoTime()));
            assertTrue(s.closeReason().contains("Invalid client credentials"), s.closeReason());
            assertFalse(s.closeReason().contains("wrong"), s.closeReason());
        }
        assertEquals(2, listener.failedAuthentications());
    }

    @Test
    void anUnknownUserAndGarbageAreRefusedAtTheFirstMessage() {
        final SaslSession unknown = handshaken();
        final SaslAuthenticateResponseData r = unknown.authenticate(
            new ClientFirstMessage("mallory", "abcdefgh", Map.of()).toBytes(), (short) 1, System.nanoTime());
        assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), r.errorCode());
        assertNotNull(unknown.closeReason());
        final SaslSession garbage = handshaken();
        final byte[] junk = "n,,n=carol,r=,p=secret-looking".getBytes(StandardCharsets.UTF_8);
        assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(),
            garbage.authenticate(junk, (short) 1, System.nanoTime()).errorCode());
        assertTrue(garbage.closeReason().contains("invalid SCRAM client-first-message"), garbage.closeReason());
        assertFalse(garbage.closeReason().contains("secret-looking"), garbage.closeReason());
    }

    /** A client-first-message sent and the server-first-message read; the client-final built on demand. */
    private final class Exchange {
        final SaslSession session;
        final String clientNonce = formatter.secureRandomString();
        final ClientFirstMessage clientFirst;
        final ServerFirstMessage serverFirst;

        Exchange(SaslSession session, String user) throws Exception {
            this.session = session;
            clientFirst = new ClientFirstMessage(ScramFormatter.saslName(user), clientNonce, Map.of());
            final SaslAuthenticateResponseData r = session.authenticate(clientFirst.toBytes(), (short) 1,
                System.nanoTime());
            assertEquals(Errors.NONE.code(), r.errorCode(), r.errorMessage());
            serverFirst = new ServerFirstMessage(r.authBytes());
        }

        /** A client-final-message with {@code nonce} and a proof over it computed from {@code password}. */
        SaslAuthenticateResponseData finish(String nonce, String password) throws Exception {
            final ClientFinalMessage fin = new ClientFinalMessage("n,,".getBytes(StandardCharsets.UTF_8), nonce);
            final byte[] salted = formatter.saltedPassword(password, serverFirst.salt(), serverFirst.iterations());
            fin.proof(formatter.clientProof(salted, clientFirst, serverFirst, fin));
            return session.authenticate(fin.toBytes(), (short) 1, System.nanoTime());
        }
    }
}
