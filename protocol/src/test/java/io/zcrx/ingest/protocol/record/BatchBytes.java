package io.zcrx.ingest.protocol.record;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Hand-made record batches for the negative space kafka-clients will not produce: any header field,
 * records written field by field (so a test can forge a length, an offset delta or an overlong
 * varint), optional compression with kafka-clients' codecs, and a CRC fixed after each edit so the
 * check under test is the one that fails.
 */
final class BatchBytes {
    private BatchBytes() {
    }

    /** Writes record fields one by one (VARINT/VARLONG zig-zag). */
    static final class Records {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Records varint(int v) {
            final ByteBuffer b = ByteBuffer.allocate(5);
            ByteUtils.writeVarint(v, b);
            out.write(b.array(), 0, b.position());
            return this;
        }

        Records varlong(long v) {
            final ByteBuffer b = ByteBuffer.allocate(10);
            ByteUtils.writeVarlong(v, b);
            out.write(b.array(), 0, b.position());
            return this;
        }

        Records raw(byte... bytes) {
            out.writeBytes(bytes);
            return this;
        }

        /** A well-formed record: length, attributes 0, deltas, key, value, headers (key, value) pairs. */
        Records record(long timestampDelta, int offsetDelta, byte[] key, byte[] value, byte[]... headerKeyValues) {
            final Records body = new Records();
            body.raw((byte) 0).varlong(timestampDelta).varint(offsetDelta);
            body.bytesField(key).bytesField(value).varint(headerKeyValues.length / 2);
            for (int i = 0; i < headerKeyValues.length; i += 2) {
                body.bytesField(headerKeyValues[i]).bytesField(headerKeyValues[i + 1]);
            }
            final byte[] b = body.toBytes();
            return varint(b.length).raw(b);
        }

        Records bytesField(byte[] b) {
            if (b == null) {
                return varint(-1);
            }
            return varint(b.length).raw(b);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    /** Header fields, defaulting to a plain producer's CreateTime batch. */
    static final class Header {
        long baseOffset = 0;
        int partitionLeaderEpoch = -1;
        byte magic = 2;
        int attributes = 0;
        int lastOffsetDelta;
        long baseTimestamp;
        long maxTimestamp;
        long producerId = -1;
        short producerEpoch = -1;
        int baseSequence = -1;
        int count;
    }

    /** A whole batch: header + records section (compressed here when the header's codec says so). */
    static byte[] batch(Header h, byte[] records) {
        final int codec = h.attributes & RecordBatchLayout.COMPRESSION_CODEC_MASK;
        final byte[] section = codec == 0 || codec > 4 ? records : compress(CompressionType.forId(codec), records);
        final ByteBuffer b = ByteBuffer.allocate(RecordBatchLayout.RECORD_BATCH_OVERHEAD + section.length);
        b.putLong(h.baseOffset).putInt(b.capacity() - RecordBatchLayout.LOG_OVERHEAD).putInt(h.partitionLeaderEpoch)
            .put(h.magic).putInt(0).putShort((short) h.attributes).putInt(h.lastOffsetDelta).putLong(h.baseTimestamp)
            .putLong(h.maxTimestamp).putLong(h.producerId).putShort(h.producerEpoch).putInt(h.baseSequence)
            .putInt(h.count).put(section);
        final byte[] out = b.array();
        fixCrc(out);
        return out;
    }

    static byte[] compress(CompressionType type, byte[] raw) {
        final ByteBufferOutputStream bos = new ByteBufferOutputStream(raw.length + 64);
        try (OutputStream os = Compression.of(type).build().wrapForOutput(bos, RecordBatchLayout.MAGIC_V2)) {
            os.write(raw);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        final ByteBuffer b = bos.buffer();
        b.flip();
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Recomputes the CRC-32C of [21, end) into bytes 17..20. */
    static void fixCrc(byte[] batch) {
        final CRC32C crc = new CRC32C();
        crc.update(batch, RecordBatchLayout.CRC_COVERED_OFFSET, batch.length - RecordBatchLayout.CRC_COVERED_OFFSET);
        ByteBuffer.wrap(batch).putInt(RecordBatchLayout.CRC_OFFSET, (int) crc.getValue());
    }

    /** Sets an INT16/INT32/INT64 field then fixes the CRC. */
    static byte[] withShort(byte[] batch, int offset, int value) {
        final byte[] out = batch.clone();
        ByteBuffer.wrap(out).putShort(offset, (short) value);
        fixCrc(out);
        return out;
    }

    static byte[] withInt(byte[] batch, int offset, int value) {
        final byte[] out = batch.clone();
        ByteBuffer.wrap(out).putInt(offset, value);
        fixCrc(out);
        return out;
    }

    static byte[] withLong(byte[] batch, int offset, long value) {
        final byte[] out = batch.clone();
        ByteBuffer.wrap(out).putLong(offset, value);
        fixCrc(out);
        return out;
    }
}
