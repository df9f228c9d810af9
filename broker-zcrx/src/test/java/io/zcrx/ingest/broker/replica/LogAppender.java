package io.zcrx.ingest.broker.replica;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.zcrx.ingest.log.AppendBatch;
import io.zcrx.ingest.log.AppendResult;
import io.zcrx.ingest.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Appends real record batches to a partition log through its leader append path (tests). */
public final class LogAppender {
    private final ByteBuffer arena = ByteBuffer.allocateDirect(1 << 16);
    private final long arenaAddress = Pointer.nativeValue(Native.getDirectBufferPointer(arena));
    private final AppendBatch batch = new AppendBatch();
    private final AppendResult result = new AppendResult();

    /** Appends one batch of {@code records} records; returns the log end offset after it. */
    public long append(PartitionLog log, int records) {
        final SimpleRecord[] rs = new SimpleRecord[records];
        for (int i = 0; i < records; i++) {
            rs[i] = new SimpleRecord(System.currentTimeMillis(), null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        final ByteBuffer src = MemoryRecords.withRecords(Compression.NONE, rs).buffer().duplicate();
        final int size = src.remaining();
        for (int i = 0; i < AppendBatch.HEADER_LENGTH; i++) {
            batch.header().put(i, src.get(i));
        }
        batch.payload().clear();
        for (int i = AppendBatch.HEADER_LENGTH; i < size; i++) {
            arena.put(i - AppendBatch.HEADER_LENGTH, src.get(i));
        }
        batch.payload().add(arenaAddress, size - AppendBatch.HEADER_LENGTH);
        log.append(batch, System.currentTimeMillis(), result);
        if (result.errorCode != 0) {
            throw new IllegalStateException("append failed: " + result);
        }
        return log.logEndOffset();
    }
}
