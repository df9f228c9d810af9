package io.zcrx.ingest.broker.config;

/**
 * The default of {@code num.network.threads}, chosen from the machine: one reactor per core the JVM may use
 * ({@link Runtime#availableProcessors}, which honours CPU affinity and container quotas), less one core in eight
 * from eight cores up.
 *
 * <p>Why every core: a reactor runs a request's whole path (receive, parse, validate, append into the page cache,
 * answer) on its own thread, so a reactor is what one core of ingest costs, and nothing else per request runs on
 * another thread. The broker's other threads work per fsync, per second or per compaction, not per request: the
 * flusher (its fsync waits on the device), the metrics tick, the log cleaner, the garbage collector (the Produce
 * path allocates nothing). Measured on a 2-core VM (docs/perf, bin/perf-scaling.sh): the firehose saturates one
 * reactor at about one core and reaches well under the sink's rate; two reactors on the two cores go faster at a
 * similar CPU per GB, though the load generator shares those cores.
 *
 * <p>Why one in eight held back from eight cores up: there the threads that are not reactors add up (replica
 * fetchers and their appends in cluster mode, the cleaner, GC threads under a fetch-heavy load), and a reactor
 * that must share its core with them stalls every connection it owns. Below eight cores a core held back is a
 * large share of the machine for threads that are mostly idle. zcrx ignores this setting: it runs one reactor
 * per hardware rx queue that the flow rule steers ({@code zcrx.rx.queues}).
 */
public final class NetworkThreads {
    /** From this many cores up, one core in {@value #RESERVE_ONE_IN} is left to the other threads. */
    static final int RESERVE_FROM_CORES = 8;
    static final int RESERVE_ONE_IN = 8;
    /** The setting's upper bound (its validated range); the default never passes it, or the definition would throw. */
    static final int MAX = 256;

    private NetworkThreads() {
    }

    /** The default reactor count for a machine with {@code cores} usable cores (at least 1, at most {@value #MAX}). */
    public static int defaultFor(int cores) {
        final int c = Math.max(1, cores);
        return Math.min(MAX, c < RESERVE_FROM_CORES ? c : c - c / RESERVE_ONE_IN);
    }

    /** The default for this JVM. */
    public static int machineDefault() {
        return defaultFor(Runtime.getRuntime().availableProcessors());
    }

    /** Why the broker runs {@code value} reactors: the setting, or the default and the cores it came from. */
    static String reason(boolean configured, int value) {
        if (configured) {
            return BrokerConfig.NUM_NETWORK_THREADS + "=" + value + " (configured)";
        }
        final int cores = Runtime.getRuntime().availableProcessors();
        return BrokerConfig.NUM_NETWORK_THREADS + "=" + value + " (default: one reactor per core"
            + (cores >= RESERVE_FROM_CORES ? " less one in " + RESERVE_ONE_IN : "") + ", " + cores + " cores usable)";
    }
}
