package io.zcrx.ingest.perf.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;

class ProduceResponseCheckerTest {

    /** A Produce response frame body (no size prefix) encoded by kafka-clients. */
    static ByteBuffer encode(short version, int correlationId, int partitions, short errorPartition, Errors error,
                             boolean withLeaderTag) {
        final List<ProduceResponseData.PartitionProduceResponse> ps = new ArrayList<>();
        for (int p = partitions - 1; p >= 0; p--) { // reversed: the checker must not assume order
            final ProduceResponseData.PartitionProduceResponse r = new ProduceResponseData.PartitionProduceResponse()
                .setIndex(p).setBaseOffset(1000L * p + 7).setLogAppendTimeMs(-1).setLogStartOffset(0);
            if (p == errorPartition) {
                r.setErrorCode(error.code()).setBaseOffset(-1).setErrorMessage("bad thing at " + p);
                if (version >= 8) {
                    r.setRecordErrors(List.of(new ProduceResponseData.BatchIndexAndErrorMessage().setBatchIndex(3)
                        .setBatchIndexErrorMessage("record 3")));
                }
            }
            if (withLeaderTag && version >= 10) {
                r.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch().setLeaderId(1).setLeaderEpoch(5));
            }
            ps.add(r);
        }
        final var topics = new ProduceResponseData.TopicProduceResponseCollection();
        topics.add(new ProduceResponseData.TopicProduceResponse().setName("perf")
            .setTopicId(Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ")).setPartitionResponses(ps));
        final ProduceResponseData data = new ProduceResponseData().setResponses(topics).setThrottleTimeMs(0);
        final short headerVersion = ApiKeys.PRODUCE.responseHeaderVersion(version);
        return RequestUtils.serialize(new ResponseHeader(correlationId, headerVersion).data(), headerVersion, data,
            version);
    }

    @Test
    void readsEveryVersionEncodedByKafkaClients() {
        // Goal: the in-place reader agrees with kafka-clients' encoding at versions 3..13, tagged
        // fields included. Method: encode with RequestUtils.serialize, place at an offset, check.
        for (short v = 3; v <= ApiKeys.PRODUCE.latestVersion(); v++) {
            for (boolean tag : new boolean[] {false, true}) {
                final ByteBuffer body = encode(v, 4242, 4, (short) -1, Errors.NONE, tag);
                final ByteBuffer frame = ByteBuffer.allocateDirect(body.remaining() + 10);
                frame.put(10, body, 0, body.remaining());
                final long[] offsets = new long[4];
                final int corr = new ProduceResponseChecker(v, 4).check(frame, 10, body.remaining(), offsets);
                assertEquals(4242, corr, "version=" + v);
                assertArrayEquals(new long[] {7, 1007, 2007, 3007}, offsets, "version=" + v);
            }
        }
    }

    @Test
    void anErrorCodeFailsNamingPartitionAndError() {
        // Goal: a partition error is reported with its partition, code and name. Method: encode
        // NOT_LEADER_OR_FOLLOWER for partition 2 at every version.
        for (short v = 3; v <= ApiKeys.PRODUCE.latestVersion(); v++) {
            final ByteBuffer body = encode(v, 1, 3, (short) 2, Errors.NOT_LEADER_OR_FOLLOWER, false);
            final short version = v;
            final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new ProduceResponseChecker(version, 3).check(body, 0, body.remaining(), new long[3]));
            assertTrue(e.getMessage().contains("partition=2") && e.getMessage().contains("errorCode=6")
                && e.getMessage().contains("NOT_LEADER_OR_FOLLOWER"), e.getMessage());
        }
    }

    @Test
    void truncatedTrailingAndMissingPartitionsAreRejected() {
        // Goal: malformed responses never pass. Method: cut one byte, add one byte, expect 4
        // partitions where 3 came.
        final ByteBuffer body = encode((short) 9, 1, 3, (short) -1, Errors.NONE, false);
        assertThrows(IllegalStateException.class,
            () -> new ProduceResponseChecker((short) 9, 3).check(body, 0, body.remaining() - 1, new long[3]));
        final ByteBuffer longer = ByteBuffer.allocate(body.remaining() + 1).put(body.duplicate()).put((byte) 0).flip();
        final IllegalStateException trailing = assertThrows(IllegalStateException.class,
            () -> new ProduceResponseChecker((short) 9, 3).check(longer, 0, longer.remaining(), new long[3]));
        assertTrue(trailing.getMessage().contains("trailing"), trailing.getMessage());
        final IllegalStateException missing = assertThrows(IllegalStateException.class,
            () -> new ProduceResponseChecker((short) 9, 4).check(body, 0, body.remaining(), new long[4]));
        assertTrue(missing.getMessage().contains("expected=4, actual=3"), missing.getMessage());
    }
}
