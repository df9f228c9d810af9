package io.zcrx.ingest.broker.security.authz;

import java.util.Arrays;

/**
 * One connection's Produce decisions (WRITE on a topic), so that an authorized connection pays a field check per
 * partition instead of an authorizer call: a small open-addressing table keyed by the topic object's identity (the
 * broker's per-topic object, stable while the topic exists), each entry remembering the {@link Authorization#version()}
 * it was granted at. A change of the ACL set bumps the version and so invalidates every entry at once; a new
 * principal on the connection (it cannot change under SASL re-authentication, but the cache does not rely on that)
 * clears the table. Only grants are cached: a denial asks the authorizer each time, which writes Kafka's audit
 * line for it.
 *
 * <p>Not thread-safe: one per connection, used on its reactor thread. Allocates nothing after construction.
 */
public final class TopicGrants {
    private static final int SLOTS = 64;
    private static final int MASK = SLOTS - 1;
    /** Probes before giving up (the entry is then overwritten at its home slot). */
    private static final int PROBES = 4;

    private final Object[] topics = new Object[SLOTS];
    private final long[] versions = new long[SLOTS];
    private Object principal;

    /** True when {@code topic} was granted to {@code principal} at ACL version {@code version}. */
    public boolean granted(Object principal, Object topic, long version) {
        if (principal != this.principal) {
            return false;
        }
        int i = System.identityHashCode(topic) & MASK;
        for (int p = 0; p < PROBES; p++, i = (i + 1) & MASK) {
            if (topics[i] == topic) {
                return versions[i] == version;
            }
            if (topics[i] == null) {
                return false;
            }
        }
        return false;
    }

    /** Remembers that {@code principal} may write {@code topic} at ACL version {@code version}. */
    public void grant(Object principal, Object topic, long version) {
        if (principal != this.principal) {
            Arrays.fill(topics, null);
            this.principal = principal;
        }
        final int home = System.identityHashCode(topic) & MASK;
        int i = home;
        for (int p = 0; p < PROBES; p++, i = (i + 1) & MASK) {
            if (topics[i] == null || topics[i] == topic) {
                topics[i] = topic;
                versions[i] = version;
                return;
            }
        }
        topics[home] = topic;
        versions[home] = version;
    }
}
