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
 * <p>Immutable. The file belongs to its owner (the log store), which may close it while nobody
 * holds it; a region with a {@link Source} is therefore sent from the channel {@link Source#pin}
 * returns, pinned from the moment it is queued until it has been sent or dropped
 * ({@link OutboundQueue#addFileRegion(FileChannel, long, long, Source)}). When the pin fails (the
 * file was closed for good since the read: its partition deleted), the region is queued with the
 * channel it was read from, whose send then fails and closes the connection.
 */
public final class FileRegionRecords implements BaseRecords {
    /** A file its owner may close while it is not pinned; one {@link #unpin} per {@link #pin}. */
    public interface Source {
        /** Opens the file again if needed and keeps it open until {@link #unpin}. */
        FileChannel pin() throws IOException;

        void unpin();
    }

    private final FileChannel channel;
    private final long position;
    private final int length;
    private final Source source;

    /** A region of a file that stays open for as long as the region may be sent. */
    public FileRegionRecords(FileChannel channel, long position, int length) {
        this(channel, position, length, null);
    }

    /**
     * A region of {@code source}'s file; {@code channel} is that file as the caller has it open now,
     * and is used only while the caller still pins it.
     */
    public FileRegionRecords(FileChannel channel, long position, int length, Source source) {
        if (channel == null || position < 0 || length < 0) {
            throw new IllegalArgumentException("file region: channel=" + channel + ", position=" + position
                + ", length=" + length);
        }
        this.channel = channel;
        this.position = position;
        this.length = length;
        this.source = source;
    }

    public FileChannel channel() {
        return channel;
    }

    /** Null for a region whose file stays open anyway. */
    public Source source() {
        return source;
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
                if (source == null) {
                    return (int) out.transferFrom(channel, position + previouslyWritten, remaining);
                }
                final FileChannel pinned = source.pin();
                try {
                    return (int) out.transferFrom(pinned, position + previouslyWritten, remaining);
                } finally {
                    source.unpin();
                }
            }
        };
    }

    @Override
    public String toString() {
        return "FileRegionRecords(position=" + position + ", length=" + length + ")";
    }
}
