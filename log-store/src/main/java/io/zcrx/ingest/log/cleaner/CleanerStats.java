package io.zcrx.ingest.log.cleaner;

/**
 * What one clean did (Kafka's {@code CleanerStats}), for its log line and the cleaner metrics. One clean's thread
 * writes it; published whole afterwards.
 */
public final class CleanerStats {
    final long startNs = System.nanoTime();
    long mapCompleteNs;
    long endNs;
    long mapBytesRead;
    long mapMessagesRead;
    long bytesRead;
    long bytesWritten;
    long messagesRead;
    long messagesWritten;
    long invalidMessages;
    double bufferUtilization;
    /** Slots of the offset map's region the clean used, and of its whole budget. */
    int mapRegionSlots;
    int mapSlots;
    int segmentsSwapped;

    /** Bytes of old segments read by the rewrite. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Bytes written into cleaned segments. */
    public long bytesWritten() {
        return bytesWritten;
    }

    public long messagesRead() {
        return messagesRead;
    }

    public long messagesWritten() {
        return messagesWritten;
    }

    /** Records without a key found by the rewrite (dropped, as Kafka does). */
    public long invalidMessages() {
        return invalidMessages;
    }

    public double elapsedSecs() {
        return (endNs - startNs) / 1e9;
    }

    @Override
    public String toString() {
        final double secs = Math.max(elapsedSecs(), 1e-9);
        return String.format("%.1f MB read, %.1f MB written (%.1f%%), %d of %d records kept, map %.1f MB in %.3f s, "
                + "%.3f s total (%.1f MB of log rewritten per s), "
                + "map utilization %.1f%% (region %d of %d slots), %d keyless records dropped, %d segments swapped",
            bytesRead / 1e6, bytesWritten / 1e6, bytesRead == 0 ? 0 : 100.0 * bytesWritten / bytesRead,
            messagesWritten, messagesRead, mapBytesRead / 1e6, (mapCompleteNs - startNs) / 1e9, secs,
            bytesRead / 1e6 / secs, 100 * bufferUtilization, mapRegionSlots, mapSlots, invalidMessages,
            segmentsSwapped);
    }
}
