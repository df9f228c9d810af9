package io.zcrx.ingest.broker.transport.outbound;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A kafka-clients {@link Writable} that encodes a response frame into a connection's
 * {@link OutboundQueue}: the fixed parts (header, offsets, lengths, tagged fields) collect in a
 * small heap scratch and are copied once into the queue's direct blocks; a {@link FileRegionRecords}
 * field becomes an {@link OutboundQueue#addFileRegion} entry, so segment bytes go from the page
 * cache to the socket without entering the heap.
 *
 * <pre>
 *   queue:  [ size | header | ...partition fields... ] [file region] [ ...fields... ] [file region] ...
 * </pre>
 *
 * <p>One per reactor thread, reused for every response it encodes. Not thread-safe.
 */
public final class OutboundWritable implements Writable {
    private static final int SCRATCH_BYTES = 4096;

    private ByteBuffer scratch = ByteBuffer.allocate(SCRATCH_BYTES).order(ByteOrder.BIG_ENDIAN);
    private OutboundQueue out;
    private long written;

    /**
     * Encodes {@code size prefix | response header | body} into {@code queue}.
     *
     * @return the bytes queued (size prefix included)
     * @throws IllegalStateException when the bytes written disagree with the computed size (a bug
     *     in a {@code BaseRecords} or in the sizing; the frame would corrupt the stream)
     */
    public long writeResponse(OutboundQueue queue, int correlationId, short headerVersion, Message body,
                              short version) {
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        final MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        out = queue;
        written = 0;
        scratch.clear();
        try {
            writeInt(size.totalSize());
            header.write(this, cache, headerVersion);
            body.write(this, cache, version);
            flush();
        } finally {
            out = null;
        }
        if (written != 4L + size.totalSize()) {
            throw new IllegalStateException("response encoding wrote " + written + " bytes but its size is "
                + (4L + size.totalSize()) + ": api body=" + body.getClass().getSimpleName() + ", version=" + version);
        }
        return written;
    }

    private void flush() {
        scratch.flip();
        if (scratch.hasRemaining()) {
            written += scratch.remaining();
            out.write(scratch);
        }
        scratch.clear();
    }

    private void ensure(int n) {
        if (scratch.remaining() < n) {
            flush();
            if (scratch.capacity() < n) {
                scratch = ByteBuffer.allocate(n).order(ByteOrder.BIG_ENDIAN);
            }
        }
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof FileRegionRecords) {
            final FileRegionRecords r = (FileRegionRecords) records;
            flush();
            if (r.sizeInBytes() > 0) {
                final FileRegionRecords.Source source = r.source();
                FileChannel file = r.channel();
                FileRegionRecords.Source pinned = null;
                if (source != null) {
                    try {
                        file = source.pin();
                        pinned = source;
                    } catch (IOException e) {
                        // Closed for good since the read (its partition deleted): queue the region as
                        // read; the send fails on the closed file and closes the connection, the frame
                        // stays whole until then.
                    }
                }
                out.addFileRegion(file, r.position(), r.sizeInBytes(), pinned);
                written += r.sizeInBytes();
            }
        } else if (records instanceof MemoryRecords) {
            writeByteBuffer(((MemoryRecords) records).buffer());
        } else {
            throw new IllegalArgumentException("cannot encode records of type " + records.getClass().getName());
        }
    }

    @Override
    public void writeByte(byte val) {
        ensure(1);
        scratch.put(val);
    }

    @Override
    public void writeShort(short val) {
        ensure(2);
        scratch.putShort(val);
    }

    @Override
    public void writeInt(int val) {
        ensure(4);
        scratch.putInt(val);
    }

    @Override
    public void writeLong(long val) {
        ensure(8);
        scratch.putLong(val);
    }

    @Override
    public void writeDouble(double val) {
        ensure(8);
        scratch.putDouble(val);
    }

    @Override
    public void writeByteArray(byte[] arr) {
        writeByteBuffer(ByteBuffer.wrap(arr));
    }

    @Override
    public void writeByteBuffer(ByteBuffer buf) {
        final ByteBuffer src = buf.duplicate();
        if (src.remaining() <= scratch.capacity()) {
            ensure(src.remaining());
            scratch.put(src);
        } else {
            flush();
            written += src.remaining();
            out.write(src);
        }
    }

    @Override
    public void writeUnsignedVarint(int i) {
        ensure(5);
        int v = i;
        while ((v & 0xffffff80) != 0) {
            scratch.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        scratch.put((byte) v);
    }

    @Override
    public void writeVarint(int i) {
        writeUnsignedVarint((i << 1) ^ (i >> 31));
    }

    @Override
    public void writeVarlong(long i) {
        ensure(10);
        long v = (i << 1) ^ (i >> 63);
        while ((v & 0xffffffffffffff80L) != 0L) {
            scratch.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        scratch.put((byte) v);
    }
}
