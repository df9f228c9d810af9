package io.zcrx.ingest.log;

/**
 * The storage settings of one partition log, with Kafka's topic-config names and defaults
 * ({@code segment.bytes}, {@code segment.ms}, ...). Immutable; the broker validates the values
 * (ranges, units) before it builds one, so this class only asserts them.
 */
public final class LogConfig {
    /** {@code segment.bytes}: roll when the active segment would exceed this (Kafka default 1 GiB). */
    public final int segmentBytes;
    /** {@code segment.ms}: roll a non-empty segment older than this (default 7 days). */
    public final long segmentMs;
    /** {@code segment.index.bytes}: preallocated size of .index/.timeindex (default 10 MiB). */
    public final int segmentIndexBytes;
    /** {@code index.interval.bytes}: bytes of log between sparse index entries (default 4096). */
    public final int indexIntervalBytes;
    /** {@code retention.ms}: delete segments whose newest record is older (default 7 days; -1 = keep). */
    public final long retentionMs;
    /** {@code retention.bytes}: delete oldest segments while the log is larger (default -1 = no limit). */
    public final long retentionBytes;
    /** {@code flush.messages}: fsync after this many messages (default Long.MAX_VALUE = never). */
    public final long flushMessages;
    /** {@code flush.ms}: fsync when the oldest unflushed data is this old (default Long.MAX_VALUE). */
    public final long flushMs;
    /** {@code preallocate}: preallocate the .log file at segment.bytes (default false). */
    public final boolean preallocate;
    /**
     * {@code file.delete.delay.ms}: how long a segment removed by retention stays on disk (renamed
     * {@code .deleted}) before its files are deleted, so reads already handed its channel finish
     * (default 60000).
     */
    public final long fileDeleteDelayMs;
    /** {@code cleanup.policy} contains {@code compact}: the log cleaner keeps the last record of each key. */
    public final boolean compact;
    /** {@code cleanup.policy} contains {@code delete}: retention.ms / retention.bytes remove old segments. */
    public final boolean delete;
    /** {@code delete.retention.ms}: how long a tombstone stays after the clean that first saw it (default 1 day). */
    public final long deleteRetentionMs;
    /** {@code min.cleanable.dirty.ratio}: dirty bytes / all bytes above which a log is cleaned (default 0.5). */
    public final double minCleanableDirtyRatio;
    /** {@code min.compaction.lag.ms}: a record stays uncompacted at least this long (default 0). */
    public final long minCompactionLagMs;
    /** {@code max.compaction.lag.ms}: a record is compacted at the latest this long after it was written. */
    public final long maxCompactionLagMs;
    /** {@code max.message.bytes}: the cleaner's I/O buffers grow up to this for a large batch (default 1048588). */
    public final int maxMessageBytes;

    private LogConfig(Builder b) {
        this.segmentBytes = b.segmentBytes;
        this.segmentMs = b.segmentMs;
        this.segmentIndexBytes = b.segmentIndexBytes;
        this.indexIntervalBytes = b.indexIntervalBytes;
        this.retentionMs = b.retentionMs;
        this.retentionBytes = b.retentionBytes;
        this.flushMessages = b.flushMessages;
        this.flushMs = b.flushMs;
        this.preallocate = b.preallocate;
        this.fileDeleteDelayMs = b.fileDeleteDelayMs;
        this.compact = b.compact;
        this.delete = b.delete;
        this.deleteRetentionMs = b.deleteRetentionMs;
        this.minCleanableDirtyRatio = b.minCleanableDirtyRatio;
        this.minCompactionLagMs = b.minCompactionLagMs;
        this.maxCompactionLagMs = b.maxCompactionLagMs;
        this.maxMessageBytes = b.maxMessageBytes;
        if (deleteRetentionMs < 0 || minCompactionLagMs < 0 || maxCompactionLagMs < 1 || maxMessageBytes < 0
                || !(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1)) {
            throw new IllegalArgumentException("invalid log config: " + this);
        }
        if (segmentBytes < 14 || segmentIndexBytes < 12 || indexIntervalBytes < 0 || segmentMs < 1
                || flushMessages < 1 || flushMs < 0 || fileDeleteDelayMs < 0) {
            throw new IllegalArgumentException("invalid log config: " + this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        final Builder b = new Builder();
        b.segmentBytes = segmentBytes;
        b.segmentMs = segmentMs;
        b.segmentIndexBytes = segmentIndexBytes;
        b.indexIntervalBytes = indexIntervalBytes;
        b.retentionMs = retentionMs;
        b.retentionBytes = retentionBytes;
        b.flushMessages = flushMessages;
        b.flushMs = flushMs;
        b.preallocate = preallocate;
        b.fileDeleteDelayMs = fileDeleteDelayMs;
        b.compact = compact;
        b.delete = delete;
        b.deleteRetentionMs = deleteRetentionMs;
        b.minCleanableDirtyRatio = minCleanableDirtyRatio;
        b.minCompactionLagMs = minCompactionLagMs;
        b.maxCompactionLagMs = maxCompactionLagMs;
        b.maxMessageBytes = maxMessageBytes;
        return b;
    }

    @Override
    public String toString() {
        return "LogConfig(segment.bytes=" + segmentBytes + ", segment.ms=" + segmentMs
            + ", segment.index.bytes=" + segmentIndexBytes + ", index.interval.bytes=" + indexIntervalBytes
            + ", retention.ms=" + retentionMs + ", retention.bytes=" + retentionBytes
            + ", flush.messages=" + flushMessages + ", flush.ms=" + flushMs + ", preallocate=" + preallocate
            + ", file.delete.delay.ms=" + fileDeleteDelayMs + ", cleanup.policy=" + cleanupPolicy()
            + ", delete.retention.ms=" + deleteRetentionMs + ", min.cleanable.dirty.ratio=" + minCleanableDirtyRatio
            + ", min.compaction.lag.ms=" + minCompactionLagMs + ", max.compaction.lag.ms=" + maxCompactionLagMs
            + ", max.message.bytes=" + maxMessageBytes + ")";
    }

    /** The {@code cleanup.policy} list as Kafka prints it. */
    public String cleanupPolicy() {
        return compact && delete ? "compact,delete" : compact ? "compact" : delete ? "delete" : "";
    }

    public static final class Builder {
        private int segmentBytes = 1024 * 1024 * 1024;
        private long segmentMs = 7L * 24 * 60 * 60 * 1000;
        private int segmentIndexBytes = 10 * 1024 * 1024;
        private int indexIntervalBytes = 4096;
        private long retentionMs = 7L * 24 * 60 * 60 * 1000;
        private long retentionBytes = -1L;
        private long flushMessages = Long.MAX_VALUE;
        private long flushMs = Long.MAX_VALUE;
        private boolean preallocate;
        private long fileDeleteDelayMs = 60_000L;
        private boolean compact;
        private boolean delete = true;
        private long deleteRetentionMs = 24L * 60 * 60 * 1000;
        private double minCleanableDirtyRatio = 0.5;
        private long minCompactionLagMs;
        private long maxCompactionLagMs = Long.MAX_VALUE;
        private int maxMessageBytes = 1048588;

        public Builder segmentBytes(int v) {
            segmentBytes = v;
            return this;
        }

        public Builder segmentMs(long v) {
            segmentMs = v;
            return this;
        }

        public Builder segmentIndexBytes(int v) {
            segmentIndexBytes = v;
            return this;
        }

        public Builder indexIntervalBytes(int v) {
            indexIntervalBytes = v;
            return this;
        }

        public Builder retentionMs(long v) {
            retentionMs = v;
            return this;
        }

        public Builder retentionBytes(long v) {
            retentionBytes = v;
            return this;
        }

        public Builder flushMessages(long v) {
            flushMessages = v;
            return this;
        }

        public Builder flushMs(long v) {
            flushMs = v;
            return this;
        }

        public Builder preallocate(boolean v) {
            preallocate = v;
            return this;
        }

        public Builder fileDeleteDelayMs(long v) {
            fileDeleteDelayMs = v;
            return this;
        }

        /** {@code cleanup.policy}: whether it contains {@code compact} and {@code delete}. */
        public Builder cleanupPolicy(boolean compactPolicy, boolean deletePolicy) {
            compact = compactPolicy;
            delete = deletePolicy;
            return this;
        }

        public Builder deleteRetentionMs(long v) {
            deleteRetentionMs = v;
            return this;
        }

        public Builder minCleanableDirtyRatio(double v) {
            minCleanableDirtyRatio = v;
            return this;
        }

        public Builder minCompactionLagMs(long v) {
            minCompactionLagMs = v;
            return this;
        }

        public Builder maxCompactionLagMs(long v) {
            maxCompactionLagMs = v;
            return this;
        }

        public Builder maxMessageBytes(int v) {
            maxMessageBytes = v;
            return this;
        }

        public LogConfig build() {
            return new LogConfig(this);
        }
    }
}
