package io.zcrx.ingest.broker.security;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.security.authenticator.CredentialCache;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * The SCRAM credentials the broker authenticates against, by user and mechanism: salted (salt, stored key,
 * server key, iterations; RFC 5802), never a password. Kept in kafka-clients' {@link CredentialCache} (one
 * cache per mechanism), which {@link ScramServer} reads during an exchange, plus an index of users for
 * DescribeUserScramCredentials.
 *
 * <p>Thread-safe: reads (an exchange on any reactor) are lock-free map reads; writes (AlterUserScramCredentials
 * in standalone mode, the metadata publisher in cluster mode) are serialised on this object.
 */
public final class ScramCredentials {
    private final CredentialCache cache = new CredentialCache();
    /** User to its credentials; each value is replaced whole (never mutated once published). */
    private final Map<String, Map<ScramMechanism, ScramCredential>> byUser = new ConcurrentHashMap<>();

    public ScramCredentials() {
        for (ScramMechanism m : ScramMechanism.values()) {
            cache.createCache(m.mechanismName(), ScramCredential.class);
        }
    }

    /** kafka-clients' cache of one mechanism, for its SCRAM server callback handler. */
    CredentialCache.Cache<ScramCredential> cache(ScramMechanism mechanism) {
        return cache.cache(mechanism.mechanismName(), ScramCredential.class);
    }

    public ScramCredential get(String user, ScramMechanism mechanism) {
        return cache(mechanism).get(user);
    }

    public synchronized void put(String user, ScramMechanism mechanism, ScramCredential credential) {
        final Map<ScramMechanism, ScramCredential> next = new EnumMap<>(ScramMechanism.class);
        final Map<ScramMechanism, ScramCredential> old = byUser.get(user);
        if (old != null) {
            next.putAll(old);
        }
        next.put(mechanism, credential);
        byUser.put(user, Collections.unmodifiableMap(next));
        cache(mechanism).put(user, credential);
    }

    /** @return true when the credential existed */
    public synchronized boolean remove(String user, ScramMechanism mechanism) {
        final Map<ScramMechanism, ScramCredential> old = byUser.get(user);
        if (old == null || !old.containsKey(mechanism)) {
            return false;
        }
        final Map<ScramMechanism, ScramCredential> next = new EnumMap<>(old);
        next.remove(mechanism);
        if (next.isEmpty()) {
            byUser.remove(user);
        } else {
            byUser.put(user, Collections.unmodifiableMap(next));
        }
        cache(mechanism).remove(user);
        return true;
    }

    /** The credentials of one user (empty when none). */
    public Map<ScramMechanism, ScramCredential> of(String user) {
        final Map<ScramMechanism, ScramCredential> m = byUser.get(user);
        return m == null ? Map.of() : m;
    }

    /** Every user with at least one credential, sorted, with their credentials. */
    public SortedMap<String, Map<ScramMechanism, ScramCredential>> all() {
        return new TreeMap<>(byUser);
    }

    /** Replaces everything (cluster mode: a new metadata image). */
    public synchronized void replaceAll(Map<String, Map<ScramMechanism, ScramCredential>> next) {
        for (String user : byUser.keySet().toArray(new String[0])) {
            for (ScramMechanism m : of(user).keySet()) {
                final Map<ScramMechanism, ScramCredential> n = next.get(user);
                if (n == null || !n.containsKey(m)) {
                    remove(user, m);
                }
            }
        }
        for (Map.Entry<String, Map<ScramMechanism, ScramCredential>> u : next.entrySet()) {
            for (Map.Entry<ScramMechanism, ScramCredential> c : u.getValue().entrySet()) {
                if (of(u.getKey()).get(c.getKey()) != c.getValue()) {
                    put(u.getKey(), c.getKey(), c.getValue());
                }
            }
        }
    }
}
