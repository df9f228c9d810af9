package io.zcrx.ingest.log;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A segment's {@code .log} file for a reader that sends from it later (a Fetch response queued on
 * a connection): the open-segment cache may close the file of an inactive segment while nobody
 * holds it, so the sender pins it with {@link #acquire} for as long as the bytes are being sent and
 * then calls {@link #release}, exactly once per acquire.
 *
 * <p>Thread-safe. A segment deleted by retention can still be acquired until its files are removed
 * ({@code file.delete.delay.ms} later); after that, and after its partition is closed or deleted,
 * {@link #acquire} fails.
 */
public interface SegmentChannel {
    /**
     * Opens the file again if the cache closed it and pins it open.
     *
     * @return the channel, valid until the matching {@link #release}
     * @throws IOException the file cannot be opened ({@link java.nio.channels.ClosedChannelException}
     *                     when the segment is closed for good)
     */
    FileChannel acquire() throws IOException;

    /** Drops one pin; the last one lets the cache close the file. */
    void release();
}
