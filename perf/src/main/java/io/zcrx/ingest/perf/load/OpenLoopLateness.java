package io.zcrx.ingest.perf.load;

/**
 * The sender's own health over the measured window: how many requests went out more than {@link #LATE_NS} after
 * their oldest record was due ({@link OpenLoopPacer#latenessNs}), and the worst lateness. A run whose client is
 * often late measured the client as much as the target; the latencies still count the delay (they start at the
 * schedule), so the figure says where it came from, not whether it was hidden.
 *
 * <p>Sender thread only; not thread-safe.
 */
public final class OpenLoopLateness {
    /** Later than this counts as late: well above a sleeping thread's timer slack (~50 us). */
    public static final long LATE_NS = 1_000_000;

    private long requests;
    private long late;
    private long maxNs;

    /** One request whose oldest record is in the window went out {@code latenessNs} after it was due. */
    public void sent(long latenessNs) {
        requests++;
        if (latenessNs > LATE_NS) {
            late++;
        }
        maxNs = Math.max(maxNs, latenessNs);
    }

    public long requests() {
        return requests;
    }

    public long late() {
        return late;
    }

    public long maxNs() {
        return maxNs;
    }
}
