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
 * <p>The region holds its segment open (acquired) until its next read or {@link #reset}: the
 * open-segment cache may otherwise close the file of an inactive segment. Whoever sends the bytes
 * later acquires {@link #segment} itself for the duration of the send and releases it after (the
 * region may be reset meanwhile); that pin also keeps a segment deleted by retention or with its
 * partition readable until the send is done. A segment deleted by retention can be acquired until
 * its files are removed, {@link LogConfig#fileDeleteDelayMs} later.
 * {@code length} is 0 when there is nothing to send (fetch at the log end, or an error).
 *
 * <p>Reused: one per fetching thread; it also holds that thread's 61-byte scratch for reading batch
 * headers. Not thread-safe.
 */
public final class FetchRegion {
    public short errorCode;
    /** Null when {@code length == 0}; open until the next read or {@link #reset}. */
    public FileChannel channel;
    /** The segment holding the region, to acquire for a later send; null when {@code length == 0}. */
    public SegmentChannel segment;
    public long position;
    public int length;
    /** Base offset of the first batch in the region (&lt;= the fetch offset), or -1. */
    public long firstBatchOffset = -1L;
    /** The partition's high watermark when read ({@link PartitionLog#highWatermark}). */
    public long highWatermark = -1L;
    /** The log end offset the read was bounded by (a follower's read goes up to it). */
    public long logEndOffset = -1L;
    public long logStartOffset = -1L;
    /** Null, or why the read failed. */
    public String errorMessage;

    final ByteBuffer headerScratch = ByteBuffer.allocateDirect(64).order(ByteOrder.BIG_ENDIAN);
    /** The segment this region holds acquired, or null. */
    private SegmentHandles held;

    /** Clears the region and releases the segment it held. */
    public void reset() {
        releaseHeld();
        errorCode = 0;
        channel = null;
        segment = null;
        position = 0;
        length = 0;
        firstBatchOffset = -1L;
        highWatermark = -1L;
        logEndOffset = -1L;
        logStartOffset = -1L;
        errorMessage = null;
    }

    /** Fills in a found region; {@code s} was acquired for it and is released by the next reset. */
    void hold(SegmentHandles s, FileChannel ch, int position, int length, long firstBatchOffset) {
        releaseHeld();
        held = s;
        segment = s;
        channel = ch;
        this.position = position;
        this.length = length;
        this.firstBatchOffset = firstBatchOffset;
    }

    void fail(short code, String message) {
        releaseHeld();
        errorCode = code;
        channel = null;
        segment = null;
        position = 0;
        length = 0;
        firstBatchOffset = -1L;
        errorMessage = message;
    }

    private void releaseHeld() {
        final SegmentHandles s = held;
        if (s != null) {
            held = null;
            s.release();
        }
    }

    @Override
    public String toString() {
        return "FetchRegion(errorCode=" + errorCode + ", position=" + position + ", length=" + length
            + ", firstBatchOffset=" + firstBatchOffset + ", highWatermark=" + highWatermark
            + ", logEndOffset=" + logEndOffset
            + ", logStartOffset=" + logStartOffset + ", errorMessage=" + errorMessage + ")";
    }
}
