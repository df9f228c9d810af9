package io.zcrx.ingest.broker.security;

import java.util.concurrent.TimeUnit;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * The SASL state of one connection on a SASL listener, as Kafka's {@code SaslServerAuthenticator} keeps it:
 *
 * <pre>
 *  HANDSHAKE ──SaslHandshake v1 (mechanism enabled)──► AUTHENTICATE ──SaslAuthenticate…(complete)──► COMPLETE
 *      │                                                                                          │
 *      └──SaslHandshake v0──► RAW_TOKENS (size-prefixed tokens, no Kafka header) ──(complete)──────┤
 *                                                                                                  │
 *  COMPLETE ──SaslHandshake v1 (re-authentication, KIP-368: same mechanism)──► AUTHENTICATE ──► COMPLETE
 *                                                                  (same principal required, new session)
 * </pre>
 *
 * Until the first COMPLETE only ApiVersions, SaslHandshake and SaslAuthenticate are served (the dispatcher
 * asks {@link #mayServe}); a failure answers SASL_AUTHENTICATION_FAILED (UNSUPPORTED_SASL_MECHANISM for an
 * unknown mechanism, ILLEGAL_SASL_STATE for a request out of order) and sets {@link #closeReason()}: the
 * connection is closed once the answer is sent. With {@code connections.max.reauth.ms} a session ends that
 * long after it was established (the client is told in SaslAuthenticate v1+ and re-authenticates before);
 * past its end the connection serves nothing but a re-authentication.
 *
 * <p>The principal ({@code User:<name>}) is what the authorizer (a later slice) will read.
 *
 * <p>Not thread-safe: used on its connection's reactor thread. {@link #mayServe} is the per-request check:
 * two field reads and a compare.
 */
public final class SaslSession {
    private enum State { HANDSHAKE, AUTHENTICATE, RAW_TOKENS, COMPLETE, FAILED }

    private final SaslListener listener;
    private State state = State.HANDSHAKE;
    private boolean authenticated;
    /** When the session ends (System.nanoTime()), valid when {@link #expires}. */
    private long expiryNs;
    private boolean expires;
    private SaslServer server;
    private String mechanism;
    private KafkaPrincipal principal;
    private boolean reauthenticating;
    private String closeReason;

    public SaslSession(SaslListener listener) {
        this.listener = listener;
    }

    /** True when requests other than ApiVersions and SASL may be served now. */
    public boolean mayServe(long nowNs) {
        return authenticated && (!expires || nowNs - expiryNs < 0);
    }

    /** True once a first authentication completed (the session may have ended since). */
    public boolean authenticated() {
        return authenticated;
    }

    /** After a v0 handshake: the next frames are bare SASL tokens without a request header. */
    public boolean rawTokens() {
        return state == State.RAW_TOKENS;
    }

    /** A SaslHandshake or SaslAuthenticate of an exchange is expected (first authentication or re-authentication). */
    public boolean exchangeInProgress() {
        return state == State.AUTHENTICATE || state == State.RAW_TOKENS;
    }

    /** The authenticated principal, {@code User:<name>}; null before the first authentication. */
    public KafkaPrincipal principal() {
        return principal;
    }

    public String mechanism() {
        return mechanism;
    }

    public SaslListener listener() {
        return listener;
    }

    /** Set by a failure: close the connection after the response (never null otherwise). */
    public String closeReason() {
        return closeReason;
    }

    /** SaslHandshake v0-1. */
    public SaslHandshakeResponseData handshake(String requested, short version) {
        final SaslHandshakeResponseData resp = new SaslHandshakeResponseData()
            .setMechanisms(listener.mechanisms());
        if (state == State.COMPLETE) {
            if (version == 0) {
                // Kafka: re-authentication needs SaslHandshake v1+; v0 after authentication is out of order.
                return resp.setErrorCode(Errors.ILLEGAL_SASL_STATE.code());
            }
            if (!requested.equals(mechanism)) {
                fail(false, "re-authentication of " + principal + " with mechanism " + requested
                    + " instead of " + mechanism);
                return resp.setErrorCode(Errors.ILLEGAL_SASL_STATE.code());
            }
            reauthenticating = true;
            server = listener.newServer(requested);
            state = State.AUTHENTICATE;
            return resp.setErrorCode(Errors.NONE.code());
        }
        if (state != State.HANDSHAKE) {
            fail(false, "unexpected SaslHandshake in state " + state);
            return resp.setErrorCode(Errors.ILLEGAL_SASL_STATE.code());
        }
        if (!listener.mechanisms().contains(requested)) {
            fail(false, "client asked for SASL mechanism '" + requested + "', enabled are "
                + listener.mechanisms());
            return resp.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code());
        }
        mechanism = requested;
        server = listener.newServer(requested);
        state = version == 0 ? State.RAW_TOKENS : State.AUTHENTICATE;
        return resp.setErrorCode(Errors.NONE.code());
    }

    /** SaslAuthenticate v0-2: one token of the exchange. */
    public SaslAuthenticateResponseData authenticate(byte[] token, short version, long nowNs) {
        final SaslAuthenticateResponseData resp = new SaslAuthenticateResponseData().setAuthBytes(new byte[0]);
        if (state != State.AUTHENTICATE) {
            fail(false, "unexpected SaslAuthenticate in state " + state);
            return resp.setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                .setErrorMessage("Unexpected SaslAuthenticate request with state " + state);
        }
        final byte[] challenge;
        try {
            challenge = server.evaluateResponse(token);
        } catch (SaslAuthenticationException e) {
            // kafka-clients' servers put only the user name and what failed in these messages, never a secret.
            fail(true, failureText(e.getMessage()));
            return resp.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(e.getMessage());
        } catch (SaslException | RuntimeException e) {
            fail(true, failureText(detail(e)));
            return resp.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                .setErrorMessage("Authentication failed during authentication due to invalid credentials with SASL "
                    + "mechanism " + mechanism);
        }
        resp.setAuthBytes(challenge == null ? new byte[0] : challenge);
        if (!server.isComplete()) {
            return resp.setErrorCode(Errors.NONE.code());
        }
        final String failure = complete(nowNs);
        if (failure != null) {
            return resp.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(failure)
                .setAuthBytes(new byte[0]);
        }
        if (version >= 1 && expires) {
            resp.setSessionLifetimeMs(listener.reauthMs());
        }
        return resp.setErrorCode(Errors.NONE.code());
    }

    /** After a v0 handshake: one bare token; the answer is a bare token, or null when the connection must close. */
    public byte[] rawToken(byte[] token, long nowNs) {
        final byte[] challenge;
        try {
            challenge = server.evaluateResponse(token);
        } catch (SaslAuthenticationException e) {
            fail(true, failureText(e.getMessage()));
            return null;
        } catch (SaslException | RuntimeException e) {
            fail(true, failureText(detail(e)));
            return null;
        }
        if (server.isComplete() && complete(nowNs) != null) {
            return null;
        }
        return challenge == null ? new byte[0] : challenge;
    }

    /** The exchange completed: the principal, the same one on re-authentication; the session's end. */
    private String complete(long nowNs) {
        final KafkaPrincipal p = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, server.getAuthorizationID());
        dispose();
        if (reauthenticating && !p.equals(principal)) {
            final String m = "Cannot change principals during re-authentication from " + principal + ": " + p;
            fail(true, m);
            return m;
        }
        final long reauthMs = listener.reauthMs();
        expires = reauthMs > 0;
        expiryNs = nowNs + TimeUnit.MILLISECONDS.toNanos(reauthMs);
        if (reauthenticating) {
            listener.reauthentications.increment();
        } else {
            listener.authentications.increment();
        }
        principal = p;
        authenticated = true;
        reauthenticating = false;
        state = State.COMPLETE;
        return null;
    }

    /**
     * What a refused exchange logs: {@link ScramServer}'s messages name the check that failed and never quote a
     * message, proof or key; other servers' exceptions may quote the client's input, so only their class.
     */
    private String detail(Exception e) {
        return server instanceof ScramServer && e instanceof SaslException ? e.getMessage()
            : e.getClass().getSimpleName();
    }

    private String failureText(String detail) {
        return (reauthenticating ? "re-authentication" : "authentication") + " with " + mechanism + " failed: "
            + detail;
    }

    private void fail(boolean credentials, String logLine) {
        if (credentials) {
            if (reauthenticating) {
                listener.reauthFailures.increment();
            } else {
                listener.failures.increment();
            }
        }
        // The connection's close is logged (rate-limited, the reason only: never a token or a password).
        closeReason = "listener " + listener.name() + ": SASL " + logLine;
        state = State.FAILED;
        authenticated = false;
        dispose();
    }

    /** Releases the exchange's server (also when the connection closes mid-exchange). */
    public void dispose() {
        if (server != null) {
            try {
                server.dispose();
            } catch (SaslException ignored) {
                // kafka-clients' servers hold nothing to release.
            }
            server = null;
        }
    }
}
