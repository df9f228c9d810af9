package io.zcrx.ingest.perf.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A bounded log footprint ({@code --log-footprint}): every target deletes old data as it writes new, the way a
 * broker in production runs under retention, so the bytes on the log file system stay about
 * {@link #totalBytes()} however long a run lasts.
 *
 * <p>Why: on a VM whose guest hands freed memory back to the host (virtio_balloon free page reporting), a page
 * the guest has not used recently costs several times more to fill than one it freed a moment ago (on the 2-core
 * VM: 2.5 CPU-s per GB written into tmpfs past the first ~7 GB of fresh memory, against 0.45 while reusing freed
 * pages; docs/perf/2026-12-06-steady-state.md). A run whose data only grows measures that host cost, which
 * is why {@link PageFillProbe} caps the bytes of a run and so its length. With a bounded footprint the pages are
 * recycled, the cap is not needed, and windows can be long enough for the JIT to have settled.
 *
 * <p>Brokers (Kafka's and ours, the same settings): {@code log.segment.bytes} = the footprint's share per
 * partition over {@link #SEGMENTS_KEPT} + 1 segments (1 MiB, Kafka's minimum, to {@link #MAX_SEGMENT_BYTES}),
 * {@code log.retention.bytes} = {@link #SEGMENTS_KEPT} segments, retention checked every second and deleted
 * segments removed at once ({@code log.segment.delete.delay.ms=0}: Kafka's default of a minute would keep a
 * minute of data). Apache Kafka also gets {@code log.initial.task.delay.ms=0}: its first retention pass otherwise
 * waits 30 s after start-up, longer than a run's warm-up. The sink rotates each connection's file at the
 * footprint's share per connection over {@link #SEGMENTS_KEPT} + 1 files and keeps that many, the one being
 * written included. Where the 1 MiB minimum segment exceeds a stream's share the real bound is larger than
 * {@link #totalBytes()}; {@link #describe} says so.
 *
 * @param totalBytes the bytes a target keeps on its log file system at most, about; 0 = unbounded (off)
 */
public record LogFootprint(long totalBytes) {
    /** Off: the data of a run grows with the run. */
    public static final LogFootprint NONE = new LogFootprint(0);
    /** Whole segments each partition (or sink connection) keeps besides its active one. */
    public static final int SEGMENTS_KEPT = 4;
    /** Kafka's smallest {@code log.segment.bytes} (and the sink's smallest rotation). */
    public static final long MIN_SEGMENT_BYTES = 1L << 20;
    /** Segments no larger than this, so retention deletes in small steps. */
    public static final long MAX_SEGMENT_BYTES = 64L << 20;
    /** The smallest footprint accepted (64 MiB: below it the 1 MiB segments would bound it for any stream count). */
    public static final long MIN_TOTAL_BYTES = 64L << 20;

    public LogFootprint {
        if (totalBytes != 0 && totalBytes < MIN_TOTAL_BYTES) {
            throw new IllegalArgumentException("--log-footprint must be 0 (off) or at least " + MIN_TOTAL_BYTES
                + " bytes: logFootprint=" + totalBytes);
        }
    }

    public boolean on() {
        return totalBytes > 0;
    }

    /** Segment (or sink file) size when {@code streams} partitions or connections share the footprint. */
    public long segmentBytes(int streams) {
        if (!on() || streams < 1) {
            throw new IllegalArgumentException("no segment size: logFootprint=" + totalBytes + ", streams=" + streams);
        }
        final long share = totalBytes / streams / (SEGMENTS_KEPT + 1);
        return Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, share));
    }

    /** The broker settings (key=value, Kafka's names; our broker takes the same) for {@code partitions}. */
    public List<String> brokerSettings(int partitions) {
        if (!on()) {
            return List.of();
        }
        final long segment = segmentBytes(partitions);
        return List.of("log.segment.bytes=" + segment, "log.retention.bytes=" + segment * SEGMENTS_KEPT,
            "log.retention.check.interval.ms=1000", "log.segment.delete.delay.ms=0");
    }

    /**
     * Our broker's settings plus what Apache Kafka alone needs: {@code log.initial.task.delay.ms=0}, or its first
     * retention pass waits 30 s (Kafka's default; our broker checks first after the interval).
     */
    public List<String> kafkaSettings(int partitions) {
        if (!on()) {
            return List.of();
        }
        final List<String> all = new ArrayList<>(brokerSettings(partitions));
        all.add("log.initial.task.delay.ms=0");
        return all;
    }

    /** The bytes a target keeps at most, about: the footprint, or more where the 1 MiB segments set the bound. */
    public long boundBytes(int partitions, int connections) {
        final long streams = Math.max(partitions, connections);
        return Math.max(totalBytes, streams * (SEGMENTS_KEPT + 1) * MIN_SEGMENT_BYTES);
    }

    /** The sink's rotation size ({@link SinkTarget}): the segment size over {@code connections}, or 0 when off. */
    public long sinkRotateBytes(int connections) {
        return on() ? segmentBytes(connections) : 0;
    }

    /** Files per sink connection: the kept ones and the one being written. */
    public int sinkKeepFiles() {
        return SEGMENTS_KEPT + 1;
    }

    /** One line for the report and the console. */
    public String describe(int partitions, int connections) {
        if (!on()) {
            return "log footprint unbounded (each run's data grows with the run)";
        }
        return String.format(Locale.ROOT, "log footprint bounded to about %.2f GB per target: brokers %s (Apache"
            + " Kafka also log.initial.task.delay.ms=0); the sink rotates each connection's file every %d MiB and"
            + " keeps %d", boundBytes(partitions, connections) / 1e9, String.join(", ", brokerSettings(partitions)),
            sinkRotateBytes(connections) >> 20, sinkKeepFiles());
    }
}
