package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class OpenSegmentCacheTest {
    private static final Logger LOG = LoggerFactory.getLogger(OpenSegmentCacheTest.class);
    private static final int BOUND = 4;
    private static final int PARTITIONS = 3;

    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();
    private final TestBatches tb = new TestBatches(1 << 18, 33);

    /** Appends {@code n} batches of ~1 KiB (1-3 records) to {@code log}, the clock moving 1 s each. */
    private void fill(PartitionLog log, int n) {
        final AppendBatch batch = new AppendBatch();
        final AppendResult result = new AppendResult();
        for (int i = 0; i < n; i++) {
            clock.advance(1000);
            log.append(tb.load(batch, TestBatches.plain(Compression.NONE,
                tb.records(1 + tb.random().nextInt(3), 300, clock.now()))), clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
        }
    }

    /** Reads the whole log fetch by fetch and compares every region with the batches on disk. */
    private static void readAllAndCompare(LogManager manager, PartitionLog log, Path root) throws IOException {
        final List<LogTestSupport.StoredBatch> stored = LogTestSupport.readBatches(log.dir());
        final FetchRegion region = new FetchRegion();
        long offset = log.logStartOffset();
        int next = 0;
        while (offset < log.logEndOffset()) {
            log.read(offset, 2500, true, region);
            assertEquals(0, region.errorCode, region::toString);
            assertTrue(region.length > 0, region::toString);
            final ByteBuffer bytes = ByteBuffer.allocate(region.length);
            while (bytes.hasRemaining()) {
                assertTrue(region.channel.read(bytes, region.position + bytes.position()) > 0);
            }
            bytes.flip();
            int at = 0;
            while (at < region.length) {
                final LogTestSupport.StoredBatch expected = stored.get(next++);
                final int size = expected.batch.sizeInBytes();
                assertEquals(expected.batch.baseOffset(), bytes.getLong(at), "base offset of batch " + (next - 1));
                final ByteBuffer want = LogTestSupport.readStored(expected.log, expected.position, size);
                assertEquals(want, bytes.duplicate().position(at).limit(at + size), "bytes of batch " + (next - 1));
                at += size;
                offset = expected.batch.lastOffset() + 1;
            }
            assertBounded(manager, root, 1);
        }
        region.reset();
        assertEquals(stored.size(), next, "every batch read back");
    }

    /**
     * Open {@code .log} descriptors and index mappings of files under {@code root} stay within the
     * active segments (a channel and the append descriptor, two mappings each), the bound, and
     * {@code pinned} segments held by readers.
     */
    private static void assertBounded(LogManager manager, Path root, int pinned) throws IOException {
        assertTrue(manager.openInactiveSegmentsForTest() <= BOUND, "cached: " + manager.openInactiveSegmentsForTest());
        final int fds = openLogDescriptors(root);
        final int maps = indexMappings(root);
        assertTrue(fds <= 2 * PARTITIONS + BOUND + pinned, "open .log descriptors: " + fds);
        assertTrue(maps <= 2 * (PARTITIONS + BOUND + pinned), "index mappings: " + maps);
    }

    /** Descriptors of this process open on a {@code .log} file under {@code root} ({@code /proc/self/fd}). */
    static int openLogDescriptors(Path root) throws IOException {
        int n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                final String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed since the listing (the listing's own descriptor, for one)
                }
                if (target.startsWith(root.toString())
                        && (target.endsWith(".log") || target.endsWith(".log.deleted"))) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Mappings of this process of an index file under {@code root} ({@code /proc/self/maps}). */
    static int indexMappings(Path root) throws IOException {
        int n = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8)) {
            if (line.contains(root.toString()) && (line.contains(".index") || line.contains(".timeindex"))) {
                n++;
            }
        }
        return n;
    }

    private static void assumeProcfs() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")) && Files.isReadable(Path.of("/proc/self/maps")),
            "no /proc/self (not Linux)");
    }

    @Test
    void moreSegmentsThanTheBoundAreAllReadBackWithFewHandlesOpen() throws Exception {
        // Goal: with log.open.segments.max=4 and 3 partitions of ~12 segments each, every batch
        // reads back exactly as stored (Fetch regions and ListOffsets), while the open .log
        // descriptors and index mappings stay within active segments + bound + the one pinned by
        // the reader; retention and a restart (the loader parks segments as it goes) keep it so.
        // Method: fill, read everything fetch by fetch comparing bytes with the files, count
        // /proc/self/fd links and /proc/self/maps lines under the test dir after every fetch; look
        // up a timestamp in every segment; run retention; close, reopen with the same bound, count,
        // and read everything again.
        assumeProcfs();
        final LogConfig config = LogConfig.builder().segmentBytes(4 * 1024).indexIntervalBytes(1024)
            .retentionBytes(-1).retentionMs(-1).build();
        final Uuid topicId = Uuid.randomUuid();
        int segments = 0;
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, BOUND, clock::now)) {
            assertEquals(BOUND, manager.openSegmentsMax());
            final List<PartitionLog> logs = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                final PartitionLog log = manager.createPartition("bounded", p, topicId, config);
                fill(log, 90);
                segments += log.segmentCount();
                logs.add(log);
            }
            assertTrue(segments >= 30, "segments: " + segments);
            assertBounded(manager, tmp, 0);
            for (PartitionLog log : logs) {
                readAllAndCompare(manager, log, tmp);
            }
            final OffsetLookup lookup = new OffsetLookup();
            for (PartitionLog log : logs) {
                for (LogTestSupport.StoredBatch b : LogTestSupport.readBatches(log.dir())) {
                    log.offsetForTimestamp(b.batch.maxTimestamp(), lookup);
                    assertEquals(0, lookup.errorCode, lookup::toString);
                    assertTrue(lookup.offset >= b.batch.baseOffset() && lookup.offset <= b.batch.lastOffset(),
                        lookup + " for " + b.batch);
                }
                assertBounded(manager, tmp, 0);
            }
            // Retention of segments whose handles are closed: renamed, then deleted after the delay.
            final PartitionLog first = logs.get(0);
            first.updateConfig(LogConfig.builder().segmentBytes(4 * 1024).indexIntervalBytes(1024)
                .retentionBytes(20 * 1024).retentionMs(-1).fileDeleteDelayMs(0).build());
            assertTrue(first.deleteOldSegments(clock.now()) > 0);
            first.deleteOldSegments(clock.now());
            assertBounded(manager, tmp, 0);
            readAllAndCompare(manager, first, tmp);
            assert manager.checkInvariants();
        }
        assertEquals(0, openLogDescriptors(tmp), "a clean close leaves nothing open");
        assertEquals(0, indexMappings(tmp));
        clock.advance(1000);
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, BOUND, clock::now)) {
            assertBounded(manager, tmp, 0);
            for (PartitionLog log : manager.partitions()) {
                readAllAndCompare(manager, log, tmp);
            }
            assert manager.checkInvariants();
        }
        LOG.info("{} segments over {} partitions read back with log.open.segments.max={}", segments, PARTITIONS,
            BOUND);
    }

    @Test
    void anEvictedSegmentStaysReadableUntilItsLastReaderReleasesIt() throws Exception {
        // Goal: eviction never closes a file a reader holds: a Fetch region (held by its
        // FetchRegion) and a send pinned through SegmentChannel keep reading the evicted segment;
        // the file closes when the last of them lets go, and the next read opens it again. Closing
        // the partition for good (deleting it) waits for readers the same way.
        // Method: bound 2, one partition of ~10 segments; read a region of the first segment, pin
        // it once more the way the broker does, evict everything, read all other segments (which
        // evicts again), check the pinned channel, release one by one and watch it close; then
        // delete the partition while a region is held.
        assumeProcfs();
        final LogConfig config = LogConfig.builder().segmentBytes(4 * 1024).indexIntervalBytes(1024).build();
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, 2, clock::now)) {
            final PartitionLog log = manager.createPartition("pinned", 0, Uuid.randomUuid(), config);
            fill(log, 60);
            assertTrue(log.segmentCount() >= 8, "segments: " + log.segmentCount());
            final Segment oldest = log.segmentsForTest()[0];
            final List<LogTestSupport.StoredBatch> stored = LogTestSupport.readBatches(log.dir());
            final ByteBuffer firstBatch = LogTestSupport.readStored(stored.get(0).log, 0,
                stored.get(0).batch.sizeInBytes());

            final FetchRegion region = new FetchRegion();
            log.read(0, 1, true, region);
            assertEquals(0, region.errorCode, region::toString);
            final FileChannel held = region.channel;
            final SegmentChannel forSend = region.segment;
            final FileChannel sending = forSend.acquire();
            assertTrue(held == sending, "one set of handles while the segment stays open");

            manager.evictOpenSegmentsForTest();
            final FetchRegion other = new FetchRegion();
            for (long base : log.segmentBaseOffsets()) {
                if (base > 0) {
                    log.read(base, 100, true, other);
                    assertEquals(0, other.errorCode, other::toString);
                }
            }
            other.reset();
            manager.evictOpenSegmentsForTest();
            assertTrue(oldest.handles().isOpen() && held.isOpen(), "evicted but held: still open");
            assertEquals(firstBatch, readFully(held, 0, firstBatch.remaining()), "still reads the same bytes");

            region.reset();
            assertTrue(held.isOpen(), "the send still pins it");
            assertEquals(firstBatch, readFully(sending, 0, firstBatch.remaining()));
            forSend.release();
            assertFalse(held.isOpen(), "closed by the last release of an evicted segment");
            assertFalse(oldest.handles().isOpen());
            assertThrows(IllegalStateException.class, forSend::release, "one release per acquire");

            log.read(0, 1, true, region);
            assertEquals(0, region.errorCode, region::toString);
            assertTrue(region.channel != held && region.channel.isOpen(), "reopened lazily");
            assertEquals(firstBatch, readFully(region.channel, region.position, firstBatch.remaining()));

            // Deleting the partition closes its segments for good, but not under a reader.
            final FileChannel reopened = region.channel;
            manager.deletePartition("pinned", 0);
            assertTrue(reopened.isOpen(), "a deleted partition's file stays open while a region holds it");
            assertEquals(firstBatch, readFully(reopened, region.position, firstBatch.remaining()));
            region.reset();
            assertFalse(reopened.isOpen());
            assertThrows(ClosedChannelException.class, forSend::acquire, "closed for good");
            assertEquals(0, openLogDescriptors(tmp));
            assertEquals(0, indexMappings(tmp));
        }
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            assertTrue(ch.read(b, position + b.position()) > 0);
        }
        return b.flip();
    }
}
