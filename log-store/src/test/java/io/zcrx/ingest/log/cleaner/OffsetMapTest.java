package io.zcrx.ingest.log.cleaner;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cleaner's offset map: what a clean maps is found again however far its region grew, within the budget. */
class OffsetMapTest {
    private static ByteBuffer key(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyKeysLastOffsetIsFoundAcrossTheRegionsGrowth() {
        final OffsetMap map = new OffsetMap(1_000_000L * OffsetMap.BYTES_PER_ENTRY);
        final Random random = new Random(7);
        final Map<String, Long> expected = new HashMap<>();
        for (long offset = 0; offset < 400_000; offset++) {
            final String k = "key-" + random.nextInt(150_000);
            final ByteBuffer key = key(k);
            map.put(key, offset);
            assertEquals(0, key.position(), "put must not consume the key");
            expected.put(k, offset);
        }
        assertEquals(expected.size(), map.size());
        assertEquals(399_999L, map.latestOffset());
        assertTrue(map.regionSlots() >= 2 * map.size() && map.regionSlots() <= map.slots(),
            "region=" + map.regionSlots() + ", entries=" + map.size() + ", slots=" + map.slots());
        assertTrue(map.regionSlots() > OffsetMap.FIRST_REGION_SLOTS, "the region grew: " + map.regionSlots());
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            assertEquals(e.getValue(), map.get(key(e.getKey())), e.getKey());
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(-1L, map.get(key("absent-" + i)));
        }
        assertEquals((double) map.size() / map.slots(), map.utilization(), 1e-12, "utilization is of the budget");
    }

    @Test
    void theRegionStopsAtTheBudgetAndTakesKeysUpToTheLoadFactor() {
        final int slots = 100_003;
        final OffsetMap map = new OffsetMap((long) slots * OffsetMap.BYTES_PER_ENTRY);
        final int keys = (int) (slots * 0.9);
        for (int i = 0; i < keys; i++) {
            map.put(key("k" + i), i);
        }
        assertEquals(slots, map.regionSlots());
        assertEquals(keys, map.size());
        for (int i = 0; i < keys; i++) {
            assertEquals(i, map.get(key("k" + i)), "k" + i);
        }
    }

    @Test
    void aFullBudgetRefusesANewKeyButStillReplacesAnOldOne() {
        final OffsetMap map = new OffsetMap(10L * OffsetMap.BYTES_PER_ENTRY);
        for (int i = 0; i < 10; i++) {
            map.put(key("k" + i), i);
        }
        map.put(key("k3"), 42);
        assertEquals(42L, map.get(key("k3")));
        assertThrows(IllegalStateException.class, () -> map.put(key("one-too-many"), 11));
    }

    @Test
    void aBudgetFilledAfterGrowingFindsEveryKeyAndRefusesOneMore() {
        final int slots = 100_003;
        final OffsetMap map = new OffsetMap((long) slots * OffsetMap.BYTES_PER_ENTRY);
        for (int i = 0; i < slots; i++) {
            map.put(key("k" + i), i);
        }
        assertEquals(slots, map.regionSlots());
        assertEquals(slots, map.size());
        for (int i = 0; i < slots; i++) {
            assertEquals(i, map.get(key("k" + i)), "k" + i);
        }
        map.put(key("k77"), 1_000_000);
        assertEquals(1_000_000L, map.get(key("k77")));
        assertThrows(IllegalStateException.class, () -> map.put(key("one-too-many"), 0));
    }

    @Test
    void aClearAfterGrowingLeavesNothingForTheNextGrowthToFind() {
        final OffsetMap map = new OffsetMap(1_000_000L * OffsetMap.BYTES_PER_ENTRY);
        for (int i = 0; i < 200_000; i++) {
            map.put(key("old" + i), 1_000_000 + i);
        }
        map.clear();
        // The next clean grows the region again over slots the last one filled.
        for (int i = 0; i < 150_000; i++) {
            map.put(key("new" + i), i);
        }
        assertEquals(150_000, map.size());
        assertTrue(map.regionSlots() > 2 * OffsetMap.FIRST_REGION_SLOTS, "region=" + map.regionSlots());
        for (int i = 0; i < 200_000; i += 7) {
            assertEquals(-1L, map.get(key("old" + i)), "old" + i);
        }
        for (int i = 0; i < 150_000; i++) {
            assertEquals(i, map.get(key("new" + i)), "new" + i);
        }
    }

    @Test
    void clearForgetsTheKeysAndStartsAgainWithTheFirstRegion() {
        final OffsetMap map = new OffsetMap(1_000_000L * OffsetMap.BYTES_PER_ENTRY);
        for (int i = 0; i < 100_000; i++) {
            map.put(key("k" + i), i);
        }
        assertTrue(map.regionSlots() > OffsetMap.FIRST_REGION_SLOTS);
        map.clear();
        assertEquals(0, map.size());
        assertEquals(-1L, map.latestOffset());
        assertEquals(OffsetMap.FIRST_REGION_SLOTS, map.regionSlots());
        for (int i = 0; i < 100_000; i += 997) {
            assertEquals(-1L, map.get(key("k" + i)), "k" + i);
        }
        map.put(key("k5"), 5);
        assertEquals(5L, map.get(key("k5")));
        assertEquals(-1L, map.get(key("k6")));
    }
}
