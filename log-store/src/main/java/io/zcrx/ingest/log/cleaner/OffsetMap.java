package io.zcrx.ingest.log.cleaner;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's key-to-last-offset map (the role of Kafka's {@code SkimpyOffsetMap}): an open-addressing table of
 * (MD5 of the key, offset) in a fixed memory budget ({@code log.cleaner.dedupe.buffer.size} / threads), 24 bytes a
 * slot. Keys are never stored, only their 128-bit digests, as in Kafka: two keys colliding on MD5 is not a practical
 * concern. Probing: the digest's four 32-bit words give the first four slots, then linear probing (Kafka's map reads
 * 13 overlapping words before it probes linearly; the map lives only in memory, so the sequences need not agree).
 *
 * <p>Unlike Kafka's map, a clean does not spread its keys over the whole budget: it uses a region at the start of
 * the table that doubles (rehashing the digests it holds) whenever it is half full, up to the budget. A clean of a
 * log with 100,000 keys then probes 6 MiB instead of 128 MiB (Kafka's default budget), memory the CPU's caches and
 * TLB can hold (the clean ran 1.3-1.4x faster for it, docs/compaction.md), and a clean clears only the region it
 * used. How many keys the map takes
 * is the same as Kafka's: {@code slots × loadFactor}, the caller's check against {@link #slots()}; only where they
 * sit differs.
 *
 * <p>{@link #latestOffset} is the last offset the map covers: records above it were not mapped and are kept by the
 * clean whatever their key. One instance per cleaner thread; not thread-safe; no allocation (a region grows in
 * place).
 */
final class OffsetMap {
    static final int BYTES_PER_ENTRY = 24;
    /** The first region's slots (1.5 MiB): small logs never touch more. */
    static final int FIRST_REGION_SLOTS = 1 << 16;

    private final int slots;
    /** Slots of the region in use, [0, region): grows by doubling up to {@link #slots}. */
    private int region;
    /** Per slot: digest high word, digest low word, offset + 1 (0: empty slot). */
    private final long[] table;
    private final MessageDigest md5;
    private final byte[] digest = new byte[16];
    private int entries;
    private long latestOffset = -1L;
    private long lookups;
    private long probes;

    OffsetMap(long memoryBytes) {
        final long n = memoryBytes / BYTES_PER_ENTRY;
        if (n < 2) {
            throw new IllegalArgumentException("log.cleaner.dedupe.buffer.size per cleaner thread too small for an "
                + "offset map: bytes=" + memoryBytes);
        }
        this.slots = (int) Math.min(n, (Integer.MAX_VALUE - 8) / 3);
        this.table = new long[slots * 3];
        this.region = Math.min(slots, FIRST_REGION_SLOTS);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    int slots() {
        return slots;
    }

    int size() {
        return entries;
    }

    /** Slots of the region the current clean uses (at most {@link #slots()}). */
    int regionSlots() {
        return region;
    }

    /** Filled fraction of the slots (of the whole budget, as Kafka's statistic). */
    double utilization() {
        return (double) entries / slots;
    }

    long latestOffset() {
        return latestOffset;
    }

    void updateLatestOffset(long offset) {
        latestOffset = offset;
    }

    void clear() {
        Arrays.fill(table, 0, region * 3, 0L);
        region = Math.min(slots, FIRST_REGION_SLOTS);
        entries = 0;
        latestOffset = -1L;
    }

    /** Maps {@code key} (position to limit, not consumed) to {@code offset}, replacing an older mapping. */
    void put(ByteBuffer key, long offset) {
        hash(key);
        if (region < slots && entries >= region / 2) {
            grow();
        }
        insert(word(0), word(8), offset + 1);
        latestOffset = offset;
    }

    /**
     * Puts a digest (new, or replacing its stored value) into the current region. A slot holding an unplaced entry
     * (negative value: only while {@link #grow} runs) is taken, and the displaced entry carried on from its first
     * probe.
     */
    private void insert(long hi, long lo, long value) {
        int attempt = 0;
        while (true) {
            final int at = slotOf(hi, lo, attempt) * 3;
            final long there = table[at + 2];
            if (there == 0L) {
                table[at] = hi;
                table[at + 1] = lo;
                table[at + 2] = value;
                entries++;
                return;
            }
            if (there < 0) {
                final long displacedHi = table[at];
                final long displacedLo = table[at + 1];
                table[at] = hi;
                table[at + 1] = lo;
                table[at + 2] = value;
                hi = displacedHi;
                lo = displacedLo;
                value = -there;
                attempt = 0;
                continue;
            }
            if (table[at] == hi && table[at + 1] == lo) {
                table[at + 2] = value;
                return;
            }
            if (++attempt > region + 4) {
                throw new IllegalStateException("offset map full: slots=" + region + ", entries=" + entries);
            }
        }
    }

    /**
     * Doubles the region (at most to the budget) and moves its entries to where the larger region's probing finds
     * them, in place: no side array, so a clean allocates nothing however large its map grows (an array of up to
     * half the budget would be garbage the heap was never sized for). Every entry is first marked unplaced (value
     * negated; values are offset + 1, never 0 or negative otherwise). Then each unplaced entry, in slot order, is
     * taken out and inserted; an insertion that meets an unplaced entry on its probe path takes that slot and
     * carries the displaced entry on. So a placed entry's probe path only ever crosses placed entries, which never
     * move again: no slot on it can empty later, and lookups find every entry. The count stays what it was (an
     * insertion that ends in an empty slot counts one, which moving an entry must not).
     */
    private void grow() {
        final int old = region;
        for (int at = 0; at < old * 3; at += 3) {
            table[at + 2] = -table[at + 2];
        }
        region = (int) Math.min(slots, 2L * old);
        final int count = entries;
        for (int at = 0; at < old * 3; at += 3) {
            if (table[at + 2] < 0) {
                final long hi = table[at];
                final long lo = table[at + 1];
                final long value = -table[at + 2];
                table[at] = 0L;
                table[at + 1] = 0L;
                table[at + 2] = 0L;
                insert(hi, lo, value);
            }
        }
        entries = count;
    }

    /** The last offset mapped for {@code key}, or -1. */
    long get(ByteBuffer key) {
        hash(key);
        final long hi = word(0);
        final long lo = word(8);
        lookups++;
        for (int attempt = 0; attempt <= region + 4; attempt++) {
            probes++;
            final int at = slotOf(hi, lo, attempt) * 3;
            if (table[at + 2] == 0L) {
                return -1L;
            }
            if (table[at] == hi && table[at + 1] == lo) {
                return table[at + 2] - 1;
            }
        }
        return -1L;
    }

    /** Average probes per lookup since creation (Kafka's collision-rate statistic, for the log line). */
    double probesPerLookup() {
        return lookups == 0 ? 0 : (double) probes / lookups;
    }

    private void hash(ByteBuffer key) {
        md5.reset();
        md5.update(key.duplicate());
        try {
            md5.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    private long word(int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = (v << 8) | (digest[i] & 0xFF);
        }
        return v;
    }

    private int slotOf(long hi, long lo, int attempt) {
        final long probe;
        switch (attempt) {
            case 0:
                probe = hi >>> 32;
                break;
            case 1:
                probe = hi & 0xFFFF_FFFFL;
                break;
            case 2:
                probe = lo >>> 32;
                break;
            default:
                probe = (lo & 0xFFFF_FFFFL) + (attempt - 3);
                break;
        }
        return (int) (probe % region);
    }
}
