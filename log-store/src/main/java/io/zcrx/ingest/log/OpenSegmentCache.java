package io.zcrx.ingest.log;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;

/**
 * Bounds the open handles of inactive segments across every partition of a {@link LogManager}:
 * each open inactive segment holds a {@code .log} descriptor and two index mappings, and a broker
 * with thousands of partitions times segments would otherwise run into the process's open-file
 * limit ({@code ulimit -n}) or {@code vm.max_map_count}.
 *
 * <pre>
 *   active segments (one per partition)     always open, never in the cache
 *   inactive, open, in the cache            at most maxOpenSegments (Caffeine's size bound)
 *   inactive, open, evicted, still read     closed by the last reader's release
 *   inactive, closed                        reopened by the next read (SegmentHandles.acquireFiles)
 * </pre>
 *
 * <p>Eviction only tells the segment it left the cache ({@link SegmentHandles#onEvicted}); the segment
 * closes its handles at once when no reader holds them, otherwise when the last one releases, so a
 * Fetch being sent, a recovery scan or a retention check never sees a closed file.
 *
 * <p>Maintenance runs on the calling thread ({@code executor(Runnable::run)}): the bound holds right
 * after each insertion instead of whenever a pool thread gets to it, and the closes it causes (an
 * munmap and a close) are cheap. Thread-safe.
 */
final class OpenSegmentCache {
    private final int maxOpenSegments;
    private final Cache<SegmentHandles, Boolean> cache;

    OpenSegmentCache(int maxOpenSegments) {
        if (maxOpenSegments < 1) {
            throw new IllegalArgumentException("open segment bound below 1: log.open.segments.max=" + maxOpenSegments);
        }
        this.maxOpenSegments = maxOpenSegments;
        this.cache = Caffeine.newBuilder()
            .maximumSize(maxOpenSegments)
            .executor(Runnable::run)
            .removalListener((SegmentHandles s, Boolean ignored, RemovalCause cause) -> {
                // REPLACED cannot happen (a segment is put only while it is out of the cache).
                if (s != null && cause != RemovalCause.REPLACED) {
                    s.onEvicted();
                }
            })
            .build();
    }

    int maxOpenSegments() {
        return maxOpenSegments;
    }

    /** An inactive segment whose handles are open enters the cache (may evict another). */
    void admit(SegmentHandles s) {
        cache.put(s, Boolean.TRUE);
    }

    /** Records a read of a cached segment, which keeps it from being evicted early. */
    void touch(SegmentHandles s) {
        cache.getIfPresent(s);
    }

    /** Takes a segment out (it became active again, or it is closed for good). */
    void remove(SegmentHandles s) {
        cache.invalidate(s);
    }

    /** Inactive segments counted against the bound now (tests, after pending maintenance). */
    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** Evicts every segment (tests: an eviction while a reader holds a segment). */
    void evictAllForTest() {
        cache.invalidateAll();
        cache.cleanUp();
    }
}
