package io.zcrx.ingest.perf.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;

/** Reads back what a sink wrote: a stream of whole Produce frames per connection file. */
public final class SinkFiles {
    private SinkFiles() {
    }

    /**
     * Parses every frame of every conn-*.bin file with kafka-clients, checking consecutive
     * correlation ids from 1, valid batches (CRC) and, for idempotent frames, sequences advancing by
     * the record count.
     *
     * @return total bytes across files
     */
    public static long checkAll(Path dir, boolean idempotent) throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("conn-")).toList()) {
                total += check(f, idempotent);
            }
        }
        return total;
    }

    public static long check(Path file, boolean idempotent) throws IOException {
        final ByteBuffer all;
        try (FileChannel ch = FileChannel.open(file)) {
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        int expectedCorrelation = 1;
        int expectedSequence = 0;
        while (all.hasRemaining()) {
            final int size = all.getInt();
            final ByteBuffer frame = all.slice(all.position(), size);
            all.position(all.position() + size);
            final RequestHeader h = RequestHeader.parse(frame);
            assertEquals(expectedCorrelation++, h.correlationId(), file.toString());
            final ProduceRequest r = ProduceRequest.parse(new ByteBufferAccessor(frame), h.apiVersion());
            int records = -1;
            for (ProduceRequestData.TopicProduceData t : r.data().topicData()) {
                for (ProduceRequestData.PartitionProduceData p : t.partitionData()) {
                    for (MutableRecordBatch b : ((MemoryRecords) p.records()).batches()) {
                        b.ensureValid();
                        assertEquals(idempotent ? expectedSequence : -1, b.baseSequence(), file + " correlation="
                            + h.correlationId());
                        records = b.countOrNull();
                    }
                }
            }
            expectedSequence += records;
        }
        return all.capacity();
    }
}
