package io.zcrx.ingest.broker.group;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone broker's {@link GroupStore}: committed offsets of every group, kept in memory and
 * persisted in an append-only file
 * {@code <log dir>/zcrx-group-offsets/offsets.log}.
 *
 * <p>Why this format rather than Kafka's {@code __consumer_offsets} topic in standalone mode: that
 * topic needs log compaction (which this broker does not implement yet) to stay bounded, and a
 * single broker shares its offsets with nobody. (Cluster mode does write {@code __consumer_offsets},
 * in Kafka's format, through {@link OffsetsTopicStore}: there another broker must read them.) A
 * private journal gives the three properties that matter with little
 * code: a commit is one {@code write} (into the page cache, before the response; an fsync follows
 * within {@link #SYNC_INTERVAL_MS} on the timer thread, and at shutdown), a crash can only tear the
 * last record (each record carries its own length and CRC-32C; loading stops at the first bad one
 * and truncates the file there), and growth is bounded (when the file exceeds twice the live
 * records plus {@link #COMPACT_SLACK_BYTES}, the live records are written to a temporary file,
 * fsynced and renamed over the journal).
 *
 * <pre>
 *   file   := MAGIC ("ZCRXOFS1", 8 bytes) record*
 *   record := INT32 length (bytes after the CRC) | INT32 crc32c (of those bytes) | INT8 type | body
 *   COMMIT (1)       : STRING group | STRING topic | INT32 partition | INT64 offset | INT32 leaderEpoch
 *                      | STRING metadata | INT64 commitTimestampMs | INT64 expireTimestampMs
 *   DELETE (2)       : STRING group | STRING topic | INT32 partition           (offset removed)
 *   DELETE_GROUP (3) : STRING group                                            (every offset removed)
 *   STRING           := INT16 length | UTF-8 bytes                             (big-endian throughout)
 * </pre>
 *
 * <p>Thread safety: every method is synchronized (commits come from reactor threads, expiry from
 * the timer thread); the work under the lock is an in-memory update and one write to the page cache.
 */
public final class OffsetStore implements GroupStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetStore.class);

    static final String DIR = "zcrx-group-offsets";
    static final String FILE = "offsets.log";
    static final byte[] MAGIC = "ZCRXOFS1".getBytes(StandardCharsets.US_ASCII);
    static final int RECORD_HEADER_LENGTH = 8;
    static final byte TYPE_COMMIT = 1;
    static final byte TYPE_DELETE = 2;
    static final byte TYPE_DELETE_GROUP = 3;
    /** A record larger than this is damage, not data (metadata is capped at a few KiB). */
    static final int RECORD_LENGTH_MAX = 1 << 20;
    /** Journal bytes allowed beyond twice the live records before compaction. */
    static final long COMPACT_SLACK_BYTES = 1L << 20;
    /** How long a commit may sit in the page cache before the background fsync. */
    public static final long SYNC_INTERVAL_MS = 1000;

    private final Path dir;
    private final Path file;
    private final long compactSlackBytes;
    private final Map<String, Map<TopicPartition, CommittedOffset>> groups = new HashMap<>();
    private FileChannel channel;
    private long fileBytes;
    private long liveBytes;
    private boolean dirty;
    private boolean failed;
    private long compactions;

    private OffsetStore(Path dir, long compactSlackBytes) {
        this.dir = dir;
        this.file = dir.resolve(FILE);
        this.compactSlackBytes = compactSlackBytes;
    }

    /** Opens (creating if new) the journal under {@code logDir} and loads every live offset. */
    public static OffsetStore open(Path logDir) throws IOException {
        return open(logDir, COMPACT_SLACK_BYTES);
    }

    static OffsetStore open(Path logDir, long compactSlackBytes) throws IOException {
        final OffsetStore s = new OffsetStore(logDir.resolve(DIR), compactSlackBytes);
        Files.createDirectories(s.dir);
        Files.deleteIfExists(s.dir.resolve(FILE + ".tmp"));
        s.load();
        return s;
    }

    private void load() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final long size = channel.size();
        if (size < MAGIC.length) {
            // New, or torn while being created: start it afresh.
            channel.truncate(0);
            writeFully(ByteBuffer.wrap(MAGIC), 0);
            channel.force(true);
            fileBytes = MAGIC.length;
            return;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("offsets journal too large to load: file=" + file + ", size=" + size);
        }
        final ByteBuffer all = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
        while (all.hasRemaining()) {
            if (channel.read(all, all.position()) < 0) {
                throw new IOException("short read of offsets journal: file=" + file + ", position=" + all.position());
            }
        }
        all.flip();
        for (int i = 0; i < MAGIC.length; i++) {
            if (all.get(i) != MAGIC[i]) {
                throw new IOException("not an offsets journal (bad magic): file=" + file);
            }
        }
        int position = MAGIC.length;
        int records = 0;
        final CRC32C crc = new CRC32C();
        while (position + RECORD_HEADER_LENGTH <= all.limit()) {
            final int length = all.getInt(position);
            if (length < 1 || length > RECORD_LENGTH_MAX
                    || position + RECORD_HEADER_LENGTH + (long) length > all.limit()) {
                break;
            }
            crc.reset();
            crc.update(all.duplicate().position(position + RECORD_HEADER_LENGTH)
                .limit(position + RECORD_HEADER_LENGTH + length));
            if ((int) crc.getValue() != all.getInt(position + 4)) {
                break;
            }
            try {
                apply(all.duplicate().order(ByteOrder.BIG_ENDIAN).position(position + RECORD_HEADER_LENGTH)
                    .limit(position + RECORD_HEADER_LENGTH + length));
            } catch (RuntimeException e) {
                // A record whose CRC matches but whose body does not parse was written by a bug, not
                // torn by a crash: refuse to guess.
                throw new IOException("offsets journal record does not parse: file=" + file
                    + ", position=" + position, e);
            }
            position += RECORD_HEADER_LENGTH + length;
            records++;
        }
        if (position != all.limit()) {
            LOG.warn("offsets journal has a torn or damaged tail; truncating: file={}, validBytes={}, fileBytes={}",
                file, position, all.limit());
            channel.truncate(position);
            channel.force(true);
        }
        fileBytes = position;
        liveBytes = 0;
        for (Map.Entry<String, Map<TopicPartition, CommittedOffset>> g : groups.entrySet()) {
            for (Map.Entry<TopicPartition, CommittedOffset> e : g.getValue().entrySet()) {
                liveBytes += commitRecordLength(g.getKey(), e.getKey(), e.getValue());
            }
        }
        LOG.info("loaded committed offsets: groups={}, offsets={}, records={}, file={}", groups.size(), offsetCount(),
            records, file);
    }

    private void apply(ByteBuffer body) {
        final byte type = body.get();
        final String group = readString(body);
        switch (type) {
            case TYPE_COMMIT: {
                final TopicPartition tp = new TopicPartition(readString(body), body.getInt());
                final long offset = body.getLong();
                final int epoch = body.getInt();
                final String metadata = readString(body);
                final CommittedOffset c = new CommittedOffset(offset, epoch, metadata, body.getLong(), body.getLong());
                groups.computeIfAbsent(group, k -> new HashMap<>()).put(tp, c);
                break;
            }
            case TYPE_DELETE: {
                final TopicPartition tp = new TopicPartition(readString(body), body.getInt());
                final Map<TopicPartition, CommittedOffset> m = groups.get(group);
                if (m != null) {
                    m.remove(tp);
                    if (m.isEmpty()) {
                        groups.remove(group);
                    }
                }
                break;
            }
            case TYPE_DELETE_GROUP:
                groups.remove(group);
                break;
            default:
                throw new IllegalStateException("unknown offsets journal record type: type=" + type);
        }
        if (body.hasRemaining()) {
            throw new IllegalStateException("offsets journal record has trailing bytes: remaining=" + body.remaining());
        }
    }

    // ---- queries ------------------------------------------------------------------------------

    /** Groups with at least one committed offset. */
    @Override
    public synchronized List<String> groupIds() {
        return new ArrayList<>(groups.keySet());
    }

    /** A copy of the group's committed offsets (empty when none). */
    @Override
    public synchronized Map<TopicPartition, CommittedOffset> offsets(String group) {
        final Map<TopicPartition, CommittedOffset> m = groups.get(group);
        return m == null ? Collections.emptyMap() : new HashMap<>(m);
    }

    /** The group's committed offset of {@code tp}, or null. */
    @Override
    public synchronized CommittedOffset offset(String group, TopicPartition tp) {
        final Map<TopicPartition, CommittedOffset> m = groups.get(group);
        return m == null ? null : m.get(tp);
    }

    @Override
    public synchronized boolean hasOffsets(String group) {
        return groups.containsKey(group);
    }

    synchronized int offsetCount() {
        int n = 0;
        for (Map<TopicPartition, CommittedOffset> m : groups.values()) {
            n += m.size();
        }
        return n;
    }

    synchronized long fileBytes() {
        return fileBytes;
    }

    synchronized long compactions() {
        return compactions;
    }

    // ---- updates ------------------------------------------------------------------------------

    /**
     * Persists and applies a commit of several partitions at once (one write). Either all are
     * stored or, on an I/O failure, none.
     */
    @Override
    public synchronized void commit(String group, Map<TopicPartition, CommittedOffset> offsets) throws IOException {
        if (offsets.isEmpty()) {
            return;
        }
        int length = 0;
        for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
            length += commitRecordLength(group, e.getKey(), e.getValue());
        }
        final ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
        for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
            final int start = beginRecord(buf, TYPE_COMMIT, group);
            final TopicPartition tp = e.getKey();
            final CommittedOffset c = e.getValue();
            writeString(buf, tp.topic());
            buf.putInt(tp.partition());
            buf.putLong(c.offset());
            buf.putInt(c.leaderEpoch());
            writeString(buf, c.metadata());
            buf.putLong(c.commitTimestampMs());
            buf.putLong(c.expireTimestampMs());
            endRecord(buf, start);
        }
        append(buf);
        final Map<TopicPartition, CommittedOffset> m = groups.computeIfAbsent(group, k -> new HashMap<>());
        for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
            final CommittedOffset old = m.put(e.getKey(), e.getValue());
            if (old != null) {
                liveBytes -= commitRecordLength(group, e.getKey(), old);
            }
            liveBytes += commitRecordLength(group, e.getKey(), e.getValue());
        }
        maybeCompact();
    }

    /** Removes some offsets of a group (expiry, OffsetDelete, a deleted topic). */
    @Override
    public synchronized void delete(String group, Collection<TopicPartition> partitions) throws IOException {
        final Map<TopicPartition, CommittedOffset> m = groups.get(group);
        if (m == null) {
            return;
        }
        final List<TopicPartition> present = new ArrayList<>();
        int length = 0;
        for (TopicPartition tp : partitions) {
            if (m.containsKey(tp)) {
                present.add(tp);
                length += RECORD_HEADER_LENGTH + 1 + stringLength(group) + stringLength(tp.topic()) + 4;
            }
        }
        if (present.isEmpty()) {
            return;
        }
        final ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
        for (TopicPartition tp : present) {
            final int start = beginRecord(buf, TYPE_DELETE, group);
            writeString(buf, tp.topic());
            buf.putInt(tp.partition());
            endRecord(buf, start);
        }
        append(buf);
        for (TopicPartition tp : present) {
            liveBytes -= commitRecordLength(group, tp, m.remove(tp));
        }
        if (m.isEmpty()) {
            groups.remove(group);
        }
        maybeCompact();
    }

    /** Removes every offset of a group (DeleteGroups, expiry of an empty group). */
    @Override
    public synchronized void deleteGroup(String group) throws IOException {
        final Map<TopicPartition, CommittedOffset> m = groups.get(group);
        if (m == null) {
            return;
        }
        final ByteBuffer buf = ByteBuffer.allocate(RECORD_HEADER_LENGTH + 1 + stringLength(group))
            .order(ByteOrder.BIG_ENDIAN);
        endRecord(buf, beginRecord(buf, TYPE_DELETE_GROUP, group));
        append(buf);
        for (Map.Entry<TopicPartition, CommittedOffset> e : m.entrySet()) {
            liveBytes -= commitRecordLength(group, e.getKey(), e.getValue());
        }
        groups.remove(group);
        maybeCompact();
    }

    /** fsyncs the journal if anything was written since the last sync (timer thread, shutdown). */
    public synchronized void sync() throws IOException {
        if (dirty && !failed) {
            channel.force(false);
            dirty = false;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel == null) {
            return;
        }
        try {
            sync();
        } finally {
            channel.close();
            channel = null;
        }
    }

    // ---- file ---------------------------------------------------------------------------------

    private void append(ByteBuffer buf) throws IOException {
        if (failed || channel == null) {
            throw new IOException("offsets journal unavailable after an earlier failure or close: file=" + file);
        }
        buf.flip();
        final long at = fileBytes;
        try {
            writeFully(buf, at);
        } catch (IOException e) {
            // Leave no partial record behind: later records must not follow garbage.
            try {
                channel.truncate(at);
            } catch (IOException t) {
                failed = true;
                e.addSuppressed(t);
            }
            throw e;
        }
        fileBytes = at + buf.limit();
        dirty = true;
    }

    private void writeFully(ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            p += channel.write(buf, p);
        }
    }

    private void maybeCompact() throws IOException {
        if (fileBytes <= 2 * liveBytes + MAGIC.length + compactSlackBytes) {
            return;
        }
        final Path tmp = dir.resolve(FILE + ".tmp");
        final ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 16, liveBytes + MAGIC.length))
            .order(ByteOrder.BIG_ENDIAN);
        buf.put(MAGIC);
        // Sorted, so a compacted journal is deterministic (and diffable when debugging).
        for (Map.Entry<String, Map<TopicPartition, CommittedOffset>> g : new TreeMap<>(groups).entrySet()) {
            for (Map.Entry<TopicPartition, CommittedOffset> e : g.getValue().entrySet()) {
                final int start = beginRecord(buf, TYPE_COMMIT, g.getKey());
                writeString(buf, e.getKey().topic());
                buf.putInt(e.getKey().partition());
                buf.putLong(e.getValue().offset());
                buf.putInt(e.getValue().leaderEpoch());
                writeString(buf, e.getValue().metadata());
                buf.putLong(e.getValue().commitTimestampMs());
                buf.putLong(e.getValue().expireTimestampMs());
                endRecord(buf, start);
            }
        }
        buf.flip();
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            long p = 0;
            while (buf.hasRemaining()) {
                p += out.write(buf, p);
            }
            out.force(true);
        }
        channel.close();
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final long before = fileBytes;
        fileBytes = channel.size();
        dirty = false;
        compactions++;
        LOG.info("compacted offsets journal: file={}, bytesBefore={}, bytesAfter={}", file, before, fileBytes);
    }

    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open directories; the rename is still atomic there.
            LOG.debug("fsync of directory {} failed: {}", dir, e.toString());
        }
    }

    // ---- encoding -----------------------------------------------------------------------------

    static int stringLength(String s) {
        return 2 + utf8Length(s);
    }

    private static int utf8Length(String s) {
        final int n = s.getBytes(StandardCharsets.UTF_8).length;
        if (n > Short.MAX_VALUE) {
            throw new IllegalArgumentException("string too long for the offsets journal: bytes=" + n);
        }
        return n;
    }

    static int commitRecordLength(String group, TopicPartition tp, CommittedOffset c) {
        return RECORD_HEADER_LENGTH + 1 + stringLength(group) + stringLength(tp.topic()) + 4 + 8 + 4
            + stringLength(c.metadata()) + 8 + 8;
    }

    private static int beginRecord(ByteBuffer buf, byte type, String group) {
        final int start = buf.position();
        buf.position(start + RECORD_HEADER_LENGTH);
        buf.put(type);
        writeString(buf, group);
        return start;
    }

    private static void endRecord(ByteBuffer buf, int start) {
        final int end = buf.position();
        final int length = end - start - RECORD_HEADER_LENGTH;
        final CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(start + RECORD_HEADER_LENGTH).limit(end));
        buf.putInt(start, length);
        buf.putInt(start + 4, (int) crc.getValue());
    }

    private static void writeString(ByteBuffer buf, String s) {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buf.putShort((short) b.length);
        buf.put(b);
    }

    private static String readString(ByteBuffer buf) {
        final int n = buf.getShort();
        if (n < 0 || n > buf.remaining()) {
            throw new IllegalStateException("bad string length in offsets journal: length=" + n);
        }
        final byte[] b = new byte[n];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
