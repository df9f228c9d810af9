package io.zcrx.ingest.log.epoch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The cache's rules, one behaviour per test, each taken from the behaviour Kafka's {@code LeaderEpochFileCacheTest}
 * documents for {@code LeaderEpochFileCache} (the same histories and the same expected answers).
 * {@link LeaderEpochCacheOracleTest} compares random histories with Kafka's class itself.
 */
class LeaderEpochCacheTest {
    private final LeaderEpochCache cache = new LeaderEpochCache(new TopicPartition("epochs", 0));

    private static EpochEntry e(int epoch, long start) {
        return new EpochEntry(epoch, start);
    }

    private static EpochEndOffset end(int epoch, long offset) {
        return new EpochEndOffset(epoch, offset);
    }

    private void assign(long... pairs) {
        for (int i = 0; i < pairs.length; i += 2) {
            cache.assign((int) pairs[i], pairs[i + 1]);
        }
    }

    @Test
    void anEmptyCacheKnowsNothing() {
        assertTrue(cache.isEmpty());
        assertEquals(-1, cache.latestEpoch());
        assertEquals(-1, cache.previousEpoch());
        assertEquals(EpochEndOffset.UNDEFINED, cache.endOffsetFor(0, 0));
        assertEquals(EpochEndOffset.UNDEFINED, cache.endOffsetFor(7, 0));
        assertEquals(EpochEndOffset.UNDEFINED, cache.endOffsetFor(-1, 73));
        assertFalse(cache.truncateFromStart(7));
        assertFalse(cache.truncateFromEnd(7));
        assertEquals(-1, cache.epochForOffset(5));
    }

    @Test
    void theLatestEpochEndsAtTheLogEnd() {
        assertTrue(cache.assign(2, 10));
        assertEquals(2, cache.latestEpoch());
        assertEquals(List.of(e(2, 10)), cache.entries());
        assertEquals(end(2, 11), cache.endOffsetFor(2, 11));
        assertFalse(cache.assign(2, 12), "the same epoch later changes nothing");
        assertEquals(end(2, 14), cache.endOffsetFor(2, 14));
    }

    @Test
    void anUndefinedRequestIsAnsweredUndefined() {
        assign(2, 11, 3, 12);
        assertEquals(EpochEndOffset.UNDEFINED, cache.endOffsetFor(-1, 0));
        assertTrue(EpochEndOffset.UNDEFINED.isUndefined());
    }

    @Test
    void anEpochKeepsItsFirstOffset() {
        assign(2, 9);
        assertFalse(cache.assign(2, 10));
        assertEquals(List.of(e(2, 9)), cache.entries());
        assign(2, 6, 2, 7);
        assertEquals(List.of(e(2, 6)), cache.entries(), "an earlier start of the latest epoch replaces it");
    }

    @Test
    void aNewEpochAtTheSameOffsetReplacesTheEpochThatWroteNothing() {
        assign(2, 9, 3, 9);
        assertEquals(List.of(e(3, 9)), cache.entries());
    }

    @Test
    void aRequestBelowTheFirstEpochGetsTheFirstStartOffset() {
        assign(5, 11, 6, 12, 7, 13);
        assertEquals(end(4, 11), cache.endOffsetFor(4, 0));
    }

    @Test
    void anEarlierStartOfTheLatestEpochDropsTheEntriesAfterIt() {
        assign(5, 11, 6, 12, 7, 13);
        assertTrue(cache.assign(7, 12));
        assertEquals(List.of(e(5, 11), e(7, 12)), cache.entries());
        assertEquals(end(5, 12), cache.endOffsetFor(5, 0));
        assertEquals(end(5, 12), cache.endOffsetFor(6, 0));
    }

    @Test
    void aPreviousEpochEndsWhereTheNextOneStarts() {
        assign(1, 11, 1, 12, 2, 13, 2, 14, 3, 15, 3, 16);
        assertEquals(end(2, 15), cache.endOffsetFor(2, 17));
        assertEquals(List.of(e(1, 11), e(2, 13), e(3, 15)), cache.entries());
    }

    @Test
    void anUnknownEpochBetweenKnownOnesIsAnsweredWithTheOneBelowIt() {
        assign(0, 10, 2, 13, 4, 17);
        assertEquals(end(0, 13), cache.endOffsetFor(1, 0));
        assertEquals(end(2, 17), cache.endOffsetFor(2, 0));
        assertEquals(end(2, 17), cache.endOffsetFor(3, 0));
    }

    @Test
    void anEpochAboveTheLatestIsUndefined() {
        assign(2, 100);
        assertEquals(EpochEndOffset.UNDEFINED, cache.endOffsetFor(3, 100));
    }

    @Test
    void aLowerEpochThanTheLatestReplacesTheConflictingEntries() {
        assign(1, 5, 2, 6, 1, 7);
        assertEquals(1, cache.latestEpoch());
        assertEquals(List.of(e(1, 7)), cache.entries());
        assertEquals(end(1, 8), cache.endOffsetFor(1, 8));
        assertEquals(EpochEndOffset.UNDEFINED, cache.endOffsetFor(2, 8));
    }

    @Test
    void aLowerStartOffsetReplacesTheEntriesAtOrAfterIt() {
        assign(2, 6, 3, 5);
        assertEquals(List.of(e(3, 5)), cache.entries());
    }

    @Test
    void manyLeadershipChangesWithoutData() {
        assign(0, 0, 1, 0);
        assertEquals(List.of(e(1, 0)), cache.entries());
        assertEquals(end(1, 0), cache.endOffsetFor(1, 0));
        assertEquals(end(0, 0), cache.endOffsetFor(0, 0));
        assertEquals(end(1, 5), cache.endOffsetFor(1, 5));
        assign(2, 5);
        assertEquals(end(2, 10), cache.endOffsetFor(2, 10));
        assertEquals(end(1, 5), cache.endOffsetFor(1, 10));
        assertEquals(end(0, 0), cache.endOffsetFor(0, 10));
    }

    @Test
    void aFollowerAssigningEveryBatch() {
        assign(0, 0, 0, 1, 0, 2, 1, 3, 1, 4, 1, 5, 2, 6, 2, 7, 2, 8);
        assertEquals(2, cache.latestEpoch());
        assertEquals(end(2, 9), cache.endOffsetFor(2, 9));
        assertEquals(end(0, 3), cache.endOffsetFor(0, 9));
        assertEquals(end(1, 6), cache.endOffsetFor(1, 9));
    }

    @Test
    void truncateFromEndDropsEntriesAtOrAfterTheOffset() {
        assign(2, 6, 3, 8, 4, 11);
        assertTrue(cache.truncateFromEnd(8));
        assertEquals(List.of(e(2, 6)), cache.entries());

        cache.clear();
        assign(2, 6, 3, 8, 4, 11);
        assertTrue(cache.truncateFromEnd(9));
        assertEquals(3, cache.latestEpoch());
        assertEquals(List.of(e(2, 6), e(3, 8)), cache.entries());

        assertFalse(cache.truncateFromEnd(-1), "undefined changes nothing");
        assertFalse(cache.truncateFromEnd(100));
        assertEquals(2, cache.entries().size());
    }

    @Test
    void truncateFromStartKeepsTheEpochOfTheNewFirstOffset() {
        assign(2, 6, 3, 8, 4, 11);
        assertFalse(cache.truncateFromStart(1), "before everything");
        assertFalse(cache.truncateFromStart(6), "exclusive: the first entry starts there");
        assertFalse(cache.truncateFromStart(-1), "undefined");
        assertEquals(List.of(e(2, 6), e(3, 8), e(4, 11)), cache.entries());

        assertTrue(cache.truncateFromStart(8));
        assertEquals(List.of(e(3, 8), e(4, 11)), cache.entries());
        assertTrue(cache.truncateFromStart(9));
        assertEquals(List.of(e(3, 9), e(4, 11)), cache.entries());
        assertTrue(cache.truncateFromStart(11));
        assertEquals(List.of(e(4, 11)), cache.entries());
        assertTrue(cache.truncateFromStart(15));
        assertEquals(List.of(e(4, 15)), cache.entries(), "the latest epoch stays, moved to the new start");
    }

    @Test
    void truncateFromStartBetweenTheFirstTwoEntries() {
        assign(0, 0, 1, 7, 2, 10);
        assertTrue(cache.truncateFromStart(5));
        assertEquals(List.of(e(0, 5), e(1, 7), e(2, 10)), cache.entries());
    }

    @Test
    void previousEpochs() {
        assertEquals(-1, cache.previousEpoch(2));
        assign(2, 10);
        assertEquals(-1, cache.previousEpoch());
        assertEquals(-1, cache.previousEpoch(2));
        assign(4, 15);
        assertEquals(2, cache.previousEpoch());
        assertEquals(2, cache.previousEpoch(4));
        assign(10, 20);
        assertEquals(4, cache.previousEpoch());
        assertEquals(4, cache.previousEpoch(10));
        assertEquals(4, cache.previousEpoch(7));
        cache.truncateFromEnd(18);
        assertEquals(2, cache.previousEpoch());
    }

    @Test
    void epochForOffset() {
        assign(0, 0, 1, 7, 2, 10);
        assertEquals(0, cache.epochForOffset(0));
        assertEquals(0, cache.epochForOffset(6));
        assertEquals(1, cache.epochForOffset(7));
        assertEquals(1, cache.epochForOffset(9));
        assertEquals(2, cache.epochForOffset(10));
        assertEquals(2, cache.epochForOffset(1_000));
        cache.truncateFromStart(5);
        assertEquals(-1, cache.epochForOffset(4), "before the first entry");
    }

    @Test
    void assignFromBatchTakesOnlyNewerDefinedEpochs() {
        assertFalse(cache.assignFromBatch(-1, 0), "a batch without an epoch");
        assertTrue(cache.assignFromBatch(0, 0));
        assertFalse(cache.assignFromBatch(0, 5));
        assertTrue(cache.assignFromBatch(3, 8));
        assertFalse(cache.assignFromBatch(2, 9), "older than the latest: not a new leader");
        assertEquals(List.of(e(0, 0), e(3, 8)), cache.entries());
    }

    @Test
    void negativeEntriesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> cache.assign(-1, 0));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> cache.assign(1, -5));
        assertTrue(ex.getMessage().contains("epochs-0") && ex.getMessage().contains("-5"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EpochEntry(0, -1));
    }

    @Test
    void readersSeeAnImmutableCopy() {
        assign(1, 0);
        final List<EpochEntry> before = cache.entries();
        assign(2, 5);
        assertEquals(List.of(e(1, 0)), before);
        assertThrows(UnsupportedOperationException.class, () -> before.add(e(3, 9)));
    }
}
