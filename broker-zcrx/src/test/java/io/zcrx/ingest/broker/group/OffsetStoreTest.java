package io.zcrx.ingest.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offsets journal against a model (a plain map), on real files: random commits and deletes
 * with reopens in between must always load back exactly the model; a torn or corrupted tail is cut
 * off and everything before it kept; the file stays bounded by compaction.
 */
class OffsetStoreTest {
    @TempDir
    Path tmp;

    @Test
    void randomOperationsMatchModelAcrossReopensAndCompactions() throws Exception {
        // Goal: whatever sequence of commits/deletes/group deletes happens, a reopen loads exactly
        // the live offsets, and compaction (forced often by a tiny slack) never loses one.
        // Method: 3000 random operations over 5 groups x 3 topics x 4 partitions, reopen every 250,
        // compare with a HashMap model; the seed is printed on failure.
        final long seed = System.nanoTime();
        final Random r = new Random(seed);
        final Map<String, Map<TopicPartition, CommittedOffset>> model = new HashMap<>();
        OffsetStore s = OffsetStore.open(tmp, 4096);
        try {
            for (int i = 0; i < 3000; i++) {
                final String g = "g" + r.nextInt(5);
                final int op = r.nextInt(10);
                if (op < 7) {
                    final Map<TopicPartition, CommittedOffset> batch = new HashMap<>();
                    for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) {
                        batch.put(new TopicPartition("topic-" + r.nextInt(3), r.nextInt(4)),
                            new CommittedOffset(r.nextInt(1_000_000), r.nextInt(3) - 1, r.nextBoolean() ? "" : "m" + i,
                                i, r.nextBoolean() ? -1 : i + 1000));
                    }
                    s.commit(g, batch);
                    model.computeIfAbsent(g, k -> new HashMap<>()).putAll(batch);
                } else if (op < 9) {
                    final List<TopicPartition> del = List.of(new TopicPartition("topic-" + r.nextInt(3), r.nextInt(4)));
                    s.delete(g, del);
                    final Map<TopicPartition, CommittedOffset> m = model.get(g);
                    if (m != null) {
                        m.remove(del.get(0));
                        if (m.isEmpty()) {
                            model.remove(g);
                        }
                    }
                } else {
                    s.deleteGroup(g);
                    model.remove(g);
                }
                if (i % 250 == 249) {
                    s.close();
                    s = OffsetStore.open(tmp, 4096);
                }
                assertModel(model, s, "seed=" + seed + ", step=" + i);
            }
            assertTrue(s.compactions() > 0 || s.fileBytes() < 4096 * 3, "compaction ran, seed=" + seed);
            assertTrue(s.fileBytes() <= 2 * liveBytes(model) + 4096 + OffsetStore.MAGIC.length + 2048,
                "journal bounded: fileBytes=" + s.fileBytes() + ", seed=" + seed);
        } finally {
            s.close();
        }
    }

    private static long liveBytes(Map<String, Map<TopicPartition, CommittedOffset>> model) {
        long n = 0;
        for (var g : model.entrySet()) {
            for (var e : g.getValue().entrySet()) {
                n += OffsetStore.commitRecordLength(g.getKey(), e.getKey(), e.getValue());
            }
        }
        return n;
    }

    private static void assertModel(Map<String, Map<TopicPartition, CommittedOffset>> model, OffsetStore s,
            String where) {
        assertEquals(model.keySet(), new HashSet<>(s.groupIds()), where);
        for (var e : model.entrySet()) {
            assertEquals(e.getValue(), s.offsets(e.getKey()), where + ", group=" + e.getKey());
        }
    }

    @Test
    void tornTailIsCutAndEarlierRecordsKept() throws Exception {
        // Goal: a crash in the middle of a write leaves a partial record; the next open drops it
        // (and truncates the file there) and keeps every complete record. Method: cut the file at
        // every position inside the last record, and flip a byte in it.
        final Path dir = tmp.resolve("torn");
        final TopicPartition tp = new TopicPartition("t", 0);
        long before;
        try (OffsetStore s = OffsetStore.open(dir)) {
            s.commit("g", Map.of(tp, new CommittedOffset(1, 0, "", 1, -1)));
            before = s.fileBytes();
            s.commit("g", Map.of(tp, new CommittedOffset(2, 0, "second", 2, -1)));
        }
        final Path f = dir.resolve(OffsetStore.DIR).resolve(OffsetStore.FILE);
        final byte[] full = Files.readAllBytes(f);
        for (int cut = (int) before; cut < full.length; cut++) {
            Files.write(f, Arrays.copyOf(full, cut));
            try (OffsetStore s = OffsetStore.open(dir)) {
                assertEquals(1, s.offset("g", tp).offset(), "cut at " + cut);
                assertEquals(before, Files.size(f), "file truncated to the valid prefix, cut at " + cut);
            }
        }
        final byte[] flipped = full.clone();
        flipped[full.length - 3] ^= 0x40;
        Files.write(f, flipped);
        try (OffsetStore s = OffsetStore.open(dir)) {
            assertEquals(1, s.offset("g", tp).offset(), "a CRC mismatch ends the valid prefix");
            s.commit("g", Map.of(tp, new CommittedOffset(3, 0, "", 3, -1)));
        }
        try (OffsetStore s = OffsetStore.open(dir)) {
            assertEquals(3, s.offset("g", tp).offset(), "appends after a repaired tail load");
        }
    }

    @Test
    void foreignFileIsRefused() throws Exception {
        // Goal: a file that is not our journal (wrong magic) stops the broker instead of being
        // silently truncated.
        final Path d = tmp.resolve("foreign").resolve(OffsetStore.DIR);
        Files.createDirectories(d);
        try (FileChannel ch =
                FileChannel.open(d.resolve(OffsetStore.FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("NOTOURSxxxxxxxxxxxxx".getBytes()));
        }
        final IOException e = assertThrows(IOException.class, () -> OffsetStore.open(tmp.resolve("foreign")));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    }

    @Test
    void deletesAreDurable() throws Exception {
        // Goal: a deleted offset and a deleted group stay deleted after a reopen (tombstones).
        final TopicPartition a = new TopicPartition("a", 0);
        final TopicPartition b = new TopicPartition("b", 1);
        try (OffsetStore s = OffsetStore.open(tmp)) {
            s.commit("g", Map.of(a, new CommittedOffset(1, 0, "", 1, -1), b, new CommittedOffset(2, 0, "", 1, -1)));
            s.commit("h", Map.of(a, new CommittedOffset(5, 0, "", 1, -1)));
            s.delete("g", new ArrayList<>(List.of(a)));
            s.deleteGroup("h");
        }
        try (OffsetStore s = OffsetStore.open(tmp)) {
            assertEquals(Map.of(b, new CommittedOffset(2, 0, "", 1, -1)), s.offsets("g"));
            assertTrue(s.offsets("h").isEmpty());
            assertEquals(List.of("g"), s.groupIds());
        }
    }
}
