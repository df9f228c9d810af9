package io.zcrx.ingest.broker.transport.outbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zero-copy Fetch encoding against kafka-clients' own: a response whose records are file
 * regions of a real segment-like file, written into an outbound queue, must be byte for byte the
 * frame kafka-clients serialises for the same response with the records in memory, at every Fetch
 * version we advertise; and the records must sit in the queue as file regions, not bytes.
 */
class OutboundWritableTest {
    @TempDir
    Path tmp;

    @Test
    void fileRegionsEncodeLikeKafkaClientsAtEveryVersion() throws Exception {
        // Goal: the frame (size prefix, header, body) equals RequestUtils.serialize of the same
        // data, for Fetch v4..v18, with partitions that have records, none, and an error.
        // Method: three batches in a temp file, regions of it as records; drain the queue reading
        // file regions from the file; compare.
        final byte[][] batches = new byte[3][];
        final Random r = new Random(7);
        final Path file = tmp.resolve("00000000000000000000.log");
        long position = 0;
        final long[] positions = new long[3];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < 3; i++) {
                final byte[] v = new byte[100 + r.nextInt(5000)];
                r.nextBytes(v);
                final ByteBuffer b = MemoryRecords.withRecords(i * 10L, Compression.NONE, new SimpleRecord(v),
                    new SimpleRecord(("k" + i).getBytes(), v)).buffer();
                batches[i] = new byte[b.remaining()];
                b.get(batches[i]);
                positions[i] = position;
                position += ch.write(ByteBuffer.wrap(batches[i]), position);
            }
        }
        final OutboundBlockPool pool = new OutboundBlockPool(4096, 8);
        final OutboundWritable w = new OutboundWritable();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (short v = ApiKeys.FETCH.oldestVersion(); v <= 18; v++) {
                final FetchResponseData zeroCopy =
                    response(v, i -> new FileRegionRecords(ch, positions[i], batches[i].length));
                final FetchResponseData inMemory =
                    response(v, i -> MemoryRecords.readableRecords(ByteBuffer.wrap(batches[i])));
                final short hv = ApiKeys.FETCH.responseHeaderVersion(v);
                final OutboundQueue q = new OutboundQueue(pool);
                final long n = w.writeResponse(q, 42, hv, zeroCopy, v);
                q.checkInvariants();
                final ByteBuffer expectedBody =
                    RequestUtils.serialize(new ResponseHeaderData().setCorrelationId(42), hv,
                    inMemory, v);
                final ByteBuffer expected = ByteBuffer.allocate(4 + expectedBody.remaining());
                expected.putInt(expectedBody.remaining()).put(expectedBody);
                final Drained d = drain(q);
                assertEquals(expected.capacity(), n, "bytes queued, v" + v);
                assertArrayEquals(expected.array(), d.bytes, "frame bytes, v" + v);
                assertEquals(batches[0].length + batches[2].length, d.fileBytes, "records sent as file regions, v" + v);
                assertEquals(0, pool.blocksInUse(), "blocks returned, v" + v);
            }
        }
    }

    @Test
    void pinnedRegionsArePinnedWhileQueuedAndAFailedPinStillCompletesTheFrame() throws Exception {
        // Goal: a region with a Source is queued from the channel its pin returns and unpinned once
        // sent; when the pin fails (the segment was closed for good since the read) the region is
        // queued with the channel it was read from, so the frame stays whole and no pin is owed.
        // Method: the first region's Source pins a second channel on the file (counted), the
        // second region's Source throws; encode v18, drain, compare with kafka-clients' frame.
        final Path file = tmp.resolve("00000000000000000000.log");
        final byte[][] batches = new byte[3][];
        final long[] positions = new long[3];
        long position = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < 3; i++) {
                final ByteBuffer b = MemoryRecords.withRecords(i * 10L, Compression.NONE,
                    new SimpleRecord(("v" + i).getBytes())).buffer();
                batches[i] = new byte[b.remaining()];
                b.get(batches[i]);
                positions[i] = position;
                position += ch.write(ByteBuffer.wrap(batches[i]), position);
            }
        }
        final int[] pins = new int[2];
        try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel pinned = FileChannel.open(file, StandardOpenOption.READ)) {
            final FileRegionRecords.Source works = new FileRegionRecords.Source() {
                @Override
                public FileChannel pin() {
                    pins[0]++;
                    return pinned;
                }

                @Override
                public void unpin() {
                    pins[1]++;
                }
            };
            final FileRegionRecords.Source gone = new FileRegionRecords.Source() {
                @Override
                public FileChannel pin() throws IOException {
                    throw new ClosedChannelException();
                }

                @Override
                public void unpin() {
                    throw new AssertionError("never pinned");
                }
            };
            final short v = 18;
            final FetchResponseData zeroCopy = response(v, i -> new FileRegionRecords(read, positions[i],
                batches[i].length, i == 0 ? works : gone));
            final FetchResponseData inMemory = response(v,
                i -> MemoryRecords.readableRecords(ByteBuffer.wrap(batches[i])));
            final short hv = ApiKeys.FETCH.responseHeaderVersion(v);
            final OutboundQueue q = new OutboundQueue(new OutboundBlockPool(4096, 8));
            new OutboundWritable().writeResponse(q, 7, hv, zeroCopy, v);
            assertEquals(1, pins[0], "pinned when queued");
            assertEquals(0, pins[1], "held while queued");
            final ByteBuffer body = RequestUtils.serialize(new ResponseHeaderData().setCorrelationId(7), hv, inMemory,
                v);
            final ByteBuffer expected = ByteBuffer.allocate(4 + body.remaining());
            expected.putInt(body.remaining()).put(body);
            assertArrayEquals(expected.array(), drain(q).bytes);
            assertEquals(1, pins[1], "unpinned once sent");
        }
    }

    interface RecordsFor {
        BaseRecords of(int i);
    }

    /** Two topics: partition 0 with batch 0, partition 1 empty, partition 2 an error; then batch 2. */
    private static FetchResponseData response(short version, RecordsFor records) {
        final FetchResponseData d = new FetchResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code())
            .setSessionId(0);
        final FetchableTopicResponse a = new FetchableTopicResponse().setTopic("alpha")
            .setTopicId(Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ"));
        a.partitions().add(part(0, records.of(0)));
        a.partitions().add(part(1, MemoryRecords.EMPTY));
        a.partitions().add(part(2, MemoryRecords.EMPTY).setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code())
            .setHighWatermark(-1));
        final FetchableTopicResponse b = new FetchableTopicResponse().setTopic("beta")
            .setTopicId(Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg"));
        b.partitions().add(part(0, records.of(2))
            .setAbortedTransactions(version >= 4 ? Collections.emptyList() : null));
        d.responses().add(a);
        d.responses().add(b);
        return d;
    }

    private static PartitionData part(int index, BaseRecords records) {
        return new PartitionData().setPartitionIndex(index).setErrorCode(Errors.NONE.code()).setHighWatermark(100)
            .setLastStableOffset(100).setLogStartOffset(0).setAbortedTransactions(null).setPreferredReadReplica(-1)
            .setRecords(records);
    }

    record Drained(byte[] bytes, long fileBytes) {
    }

    /** Sends the queue "to a socket": byte regions copied, file regions read from their file. */
    private static Drained drain(OutboundQueue q) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        long fileBytes = 0;
        while (!q.isEmpty()) {
            if (q.headIsFile()) {
                final int n = (int) q.headFileRemaining();
                final ByteBuffer b = ByteBuffer.allocate(n);
                q.headFile().read(b, q.headFilePosition());
                out.write(b.array(), 0, b.position());
                fileBytes += b.position();
                q.consumed(b.position());
            } else {
                final ByteBuffer h = q.headBuffer();
                final byte[] b = new byte[h.remaining()];
                h.get(b);
                out.write(b);
                q.consumed(b.length);
            }
            q.checkInvariants();
        }
        assertTrue(out.size() > 0);
        return new Drained(out.toByteArray(), fileBytes);
    }
}
