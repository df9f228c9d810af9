package io.zcrx.ingest.log.producer;

import java.util.Arrays;

/**
 * A map from {@code long} keys to objects with open addressing and linear probing, so a lookup by
 * producer id boxes nothing (a {@code HashMap<Long, V>} allocates a {@code Long} for every id
 * outside -128..127, i.e. on every append). Removal shifts the following entries back instead of
 * leaving tombstones.
 *
 * <pre>
 *   keys:   [ k0 | EMPTY | k2 | k3 | EMPTY | ... ]   capacity a power of two, at most half full
 *   values: [ v0 | null  | v2 | v3 | null  | ... ]
 * </pre>
 *
 * <p>{@link Long#MIN_VALUE} marks an empty slot and cannot be a key. Not thread-safe.
 */
final class LongHashMap<V> {
    static final long EMPTY = Long.MIN_VALUE;
    private static final int INITIAL_CAPACITY = 16;

    private long[] keys;
    private Object[] values;
    private int mask;
    private int size;

    LongHashMap() {
        allocate(INITIAL_CAPACITY);
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int i = slot(key);
        while (true) {
            final long k = keys[i];
            if (k == key) {
                return (V) values[i];
            }
            if (k == EMPTY) {
                return null;
            }
            i = (i + 1) & mask;
        }
    }

    void put(long key, V value) {
        if (key == EMPTY) {
            throw new IllegalArgumentException("reserved key: key=" + key);
        }
        if (value == null) {
            throw new IllegalArgumentException("null value: key=" + key);
        }
        int i = slot(key);
        while (true) {
            final long k = keys[i];
            if (k == key) {
                values[i] = value;
                return;
            }
            if (k == EMPTY) {
                keys[i] = key;
                values[i] = value;
                if (++size > (mask + 1) >>> 1) {
                    rehash((mask + 1) << 1);
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /** Removes the key; returns its value or null. */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        int i = slot(key);
        while (true) {
            final long k = keys[i];
            if (k == EMPTY) {
                return null;
            }
            if (k == key) {
                final V old = (V) values[i];
                deleteAt(i);
                return old;
            }
            i = (i + 1) & mask;
        }
    }

    void clear() {
        Arrays.fill(keys, EMPTY);
        Arrays.fill(values, null);
        size = 0;
    }

    /** Number of slots; iterate with {@link #keyAt}/{@link #valueAt}, skipping {@link #EMPTY} keys. */
    int capacity() {
        return keys.length;
    }

    long keyAt(int slot) {
        return keys[slot];
    }

    @SuppressWarnings("unchecked")
    V valueAt(int slot) {
        return (V) values[slot];
    }

    /** Every key findable from its home slot, the count right; tests call it under {@code assert}. */
    boolean checkInvariants() {
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == EMPTY) {
                if (values[i] != null) {
                    throw new IllegalStateException("value in an empty slot: slot=" + i);
                }
                continue;
            }
            n++;
            for (int j = slot(keys[i]); j != i; j = (j + 1) & mask) {
                if (keys[j] == EMPTY) {
                    throw new IllegalStateException(
                        "key unreachable from its home slot: key=" + keys[i] + ", slot=" + i);
                }
            }
        }
        if (n != size) {
            throw new IllegalStateException("map size wrong: counted=" + n + ", size=" + size);
        }
        return true;
    }

    /** Backward-shift deletion: moves later members of the probe run into the hole. */
    private void deleteAt(int hole) {
        int gap = hole;
        int i = (gap + 1) & mask;
        while (keys[i] != EMPTY) {
            final int home = slot(keys[i]);
            // The entry at i may move into the gap if its home slot is not inside (gap, i].
            final boolean movable = gap <= i ? (home <= gap || home > i) : (home <= gap && home > i);
            if (movable) {
                keys[gap] = keys[i];
                values[gap] = values[i];
                gap = i;
            }
            i = (i + 1) & mask;
        }
        keys[gap] = EMPTY;
        values[gap] = null;
        size--;
    }

    /** Home slot of a key (package-private for the wrap-around test). */
    int slot(long key) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 32;
        return (int) h & mask;
    }

    private void rehash(int newCapacity) {
        final long[] oldKeys = keys;
        final Object[] oldValues = values;
        allocate(newCapacity);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int j = slot(oldKeys[i]);
                while (keys[j] != EMPTY) {
                    j = (j + 1) & mask;
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
                size++;
            }
        }
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        values = new Object[capacity];
        mask = capacity - 1;
        size = 0;
    }
}
