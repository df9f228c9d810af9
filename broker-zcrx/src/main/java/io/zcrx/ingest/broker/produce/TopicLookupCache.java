package io.zcrx.ingest.broker.produce;

import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.protocol.bytes.SliceList;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.Uuid;

/**
 * Per-reactor lookup of topics named in Produce requests, without allocating: by the name's bytes
 * as they sit in the request frame (v3-v12), or by topic id as two longs (v13). Open addressing
 * with linear probing; a miss decodes the name once, asks the {@link TopicRegistry}, and caches the
 * answer. Deleted topics are dropped on sight; unknown names are not cached (so a client cannot
 * grow the table with garbage).
 *
 * <p>This class is not thread-safe: one per reactor thread.
 */
final class TopicLookupCache {
    private static final int MAX_ENTRIES = 1 << 16;

    private final TopicRegistry registry;
    private TopicInfo[] byName = new TopicInfo[64];
    private int[] nameHashes = new int[64];
    private int nameCount;
    private TopicInfo[] byId = new TopicInfo[64];
    private int idCount;

    TopicLookupCache(TopicRegistry registry) {
        this.registry = registry;
    }

    /** The topic whose name is the {@code length} bytes at {@code position} of {@code body}, or null. */
    TopicInfo byName(SliceList body, int position, int length) {
        final int h = hash(body, position, length);
        final int mask = byName.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            final TopicInfo t = byName[i];
            if (t == null) {
                break;
            }
            if (nameHashes[i] == h && equalsName(t.nameBytes(), body, position, length)) {
                if (!t.isDeleted()) {
                    return t;
                }
                clearNames();
                break;
            }
        }
        final String name = decode(body, position, length);
        final TopicInfo t = registry.get(name);
        if (t != null) {
            putName(h, t);
        }
        return t;
    }

    /** The topic with id {@code (msb, lsb)}, or null. */
    TopicInfo byId(long msb, long lsb) {
        final int h = Long.hashCode(msb * 31 + lsb);
        final int mask = byId.length - 1;
        for (int i = mix(h) & mask; ; i = (i + 1) & mask) {
            final TopicInfo t = byId[i];
            if (t == null) {
                break;
            }
            final Uuid id = t.id();
            if (id.getMostSignificantBits() == msb && id.getLeastSignificantBits() == lsb) {
                if (!t.isDeleted()) {
                    return t;
                }
                clearIds();
                break;
            }
        }
        final TopicInfo t = registry.get(new Uuid(msb, lsb));
        if (t != null) {
            putId(t);
        }
        return t;
    }

    private void putName(int h, TopicInfo t) {
        if (nameCount >= MAX_ENTRIES) {
            clearNames();
        }
        if ((nameCount + 1) * 2 > byName.length) {
            final TopicInfo[] old = byName;
            final int[] oldHashes = nameHashes;
            byName = new TopicInfo[old.length * 2];
            nameHashes = new int[old.length * 2];
            nameCount = 0;
            for (int i = 0; i < old.length; i++) {
                if (old[i] != null) {
                    insertName(oldHashes[i], old[i]);
                }
            }
        }
        insertName(h, t);
    }

    private void insertName(int h, TopicInfo t) {
        final int mask = byName.length - 1;
        int i = h & mask;
        while (byName[i] != null) {
            i = (i + 1) & mask;
        }
        byName[i] = t;
        nameHashes[i] = h;
        nameCount++;
    }

    private void putId(TopicInfo t) {
        if (idCount >= MAX_ENTRIES) {
            clearIds();
        }
        if ((idCount + 1) * 2 > byId.length) {
            final TopicInfo[] old = byId;
            byId = new TopicInfo[old.length * 2];
            idCount = 0;
            for (TopicInfo o : old) {
                if (o != null) {
                    insertId(o);
                }
            }
        }
        insertId(t);
    }

    private void insertId(TopicInfo t) {
        final Uuid id = t.id();
        final int mask = byId.length - 1;
        int i = mix(Long.hashCode(id.getMostSignificantBits() * 31 + id.getLeastSignificantBits())) & mask;
        while (byId[i] != null) {
            i = (i + 1) & mask;
        }
        byId[i] = t;
        idCount++;
    }

    private void clearNames() {
        Arrays.fill(byName, null);
        nameCount = 0;
    }

    private void clearIds() {
        Arrays.fill(byId, null);
        idCount = 0;
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    /** FNV-1a over the name bytes, walking the slices directly. */
    static int hash(SliceList body, int position, int length) {
        int h = 0x811c9dc5;
        if (length == 0) {
            return h;
        }
        int s = body.sliceAt(position);
        int off = position - body.start(s);
        for (int left = length; left > 0; left--) {
            final ByteBuffer m = body.chunk(s).memory();
            h = (h ^ (m.get(body.index(s) + off) & 0xff)) * 0x01000193;
            if (++off == body.length(s)) {
                s++;
                off = 0;
            }
        }
        return mix(h);
    }

    static int hash(byte[] name) {
        int h = 0x811c9dc5;
        for (byte b : name) {
            h = (h ^ (b & 0xff)) * 0x01000193;
        }
        return mix(h);
    }

    private static boolean equalsName(byte[] name, SliceList body, int position, int length) {
        if (name.length != length) {
            return false;
        }
        if (length == 0) {
            return true;
        }
        int s = body.sliceAt(position);
        int off = position - body.start(s);
        for (int i = 0; i < length; i++) {
            if (body.chunk(s).memory().get(body.index(s) + off) != name[i]) {
                return false;
            }
            if (++off == body.length(s)) {
                s++;
                off = 0;
            }
        }
        return true;
    }

    static String decode(SliceList body, int position, int length) {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = body.byteAt(position + i);
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
