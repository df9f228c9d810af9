package io.zcrx.ingest.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * The answer to one {@link PartitionLog#read}: whole record batches as a byte range of one segment
 * file, to be sent without copying ({@code sendfile}/{@code transferTo}), plus the offsets a Fetch
 * response carries.
 *
 * <pre>
 *   segment .log:  ... | batch holding fetchOffset | batch | batch | ... |
 *                       ^ position                          ^ position + length
 * </pre>
 *
 * <p>The channel stays open for at least {@link LogConfig#fileDeleteDelayMs} after the segment is
 * deleted by retention, so a send in flight completes; a deleted partition closes it at once.
 * {@code length} is 0 when there is nothing to send (fetch at the log end, or an error).
 *
 * <p>Reused: one per fetching thread; it also holds that thread's 61-byte scratch for reading batch
 * headers. Not thread-safe.
 */
public final class FetchRegion {
    public short errorCode;
    /** Null when {@code length == 0}. */
    public FileChannel channel;
    public long position;
    public int length;
    /** Base offset of the first batch in the region (&lt;= the fetch offset), or -1. */
    public long firstBatchOffset = -1L;
    /** High watermark: the log end offset (single node, every append is committed). */
    public long highWatermark = -1L;
    public long logStartOffset = -1L;
    /** Null, or why the read failed. */
    public String errorMessage;

    final ByteBuffer headerScratch = ByteBuffer.allocateDirect(64).order(ByteOrder.BIG_ENDIAN);

    public void reset() {
        errorCode = 0;
        channel = null;
        position = 0;
        length = 0;
        firstBatchOffset = -1L;
        highWatermark = -1L;
        logStartOffset = -1L;
        errorMessage = null;
    }

    void fail(short code, String message) {
        errorCode = code;
        channel = null;
        position = 0;
        length = 0;
        firstBatchOffset = -1L;
        errorMessage = message;
    }

    @Override
    public String toString() {
        return "FetchRegion(errorCode=" + errorCode + ", position=" + position + ", length=" + length
            + ", firstBatchOffset=" + firstBatchOffset + ", highWatermark=" + highWatermark
            + ", logStartOffset=" + logStartOffset + ", errorMessage=" + errorMessage + ")";
    }
}
