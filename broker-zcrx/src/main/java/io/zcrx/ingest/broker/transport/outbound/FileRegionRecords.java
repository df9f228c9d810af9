package io.zcrx.ingest.broker.transport.outbound;

import java.io.IOException;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * The records of one Fetch partition as a region of a segment file, for kafka-clients' generated
 * {@code FetchResponseData}: {@link #sizeInBytes()} sizes the response, and our
 * {@link OutboundWritable} turns it into an outbound file region (sendfile) instead of bytes.
 * {@link #toSend()} serves kafka-clients' own send path the same way (transferTo), so tests can
 * encode a response both ways and compare.
 *
 * <p>Immutable. The channel belongs to the log store; it stays open for at least
 * {@code file.delete.delay.ms} after retention removes the segment, long enough for the send.
 */
public final class FileRegionRecords implements BaseRecords {
    private final FileChannel channel;
    private final long position;
    private final int length;

    public FileRegionRecords(FileChannel channel, long position, int length) {
        if (channel == null || position < 0 || length < 0) {
            throw new IllegalArgumentException("file region: channel=" + channel + ", position=" + position
                + ", length=" + length);
        }
        this.channel = channel;
        this.position = position;
        this.length = length;
    }

    public FileChannel channel() {
        return channel;
    }

    public long position() {
        return position;
    }

    @Override
    public int sizeInBytes() {
        return length;
    }

    @Override
    public RecordsSend<FileRegionRecords> toSend() {
        return new RecordsSend<>(this, length) {
            @Override
            protected int writeTo(TransferableChannel out, int previouslyWritten, int remaining) throws IOException {
                return (int) out.transferFrom(channel, position + previouslyWritten, remaining);
            }
        };
    }

    @Override
    public String toString() {
        return "FileRegionRecords(position=" + position + ", length=" + length + ")";
    }
}
