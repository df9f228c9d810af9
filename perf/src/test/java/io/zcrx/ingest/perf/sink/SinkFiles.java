package io.zcrx.ingest.perf.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Reads back what a sink wrote: a stream of whole Produce frames per connection file, or, for the
 * rotation tests, a known byte pattern spread over a connection's rotated files.
 */
public final class SinkFiles {
    public static final int MIB = 1 << 20;

    private SinkFiles() {
    }

    /**
     * The pattern's byte at stream offset {@code offset}: each MiB its own value, plus the position
     * in a 251-byte cycle (prime, so no read or file boundary lines up with it), so a range written
     * to the wrong file, at the wrong place, twice or not at all shows in the content.
     */
    public static byte patternByte(long offset) {
        return (byte) (offset / MIB * 37 + offset % 251);
    }

    /**
     * Connects to a sink on 127.0.0.1:{@code port}, sends {@code bytes} of the pattern in writes of
     * uneven sizes, shuts its output down and waits for the sink's close (EOF), which the sink sends
     * only after closing its file: every byte is then on disk.
     */
    public static void sendPattern(int port, long bytes) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            // A guard against a hung sink, not a timing threshold.
            s.setSoTimeout(60_000);
            final OutputStream out = s.getOutputStream();
            final byte[] chunk = new byte[300_007];
            long sent = 0;
            for (int i = 0; sent < bytes; i++) {
                final int n = (int) Math.min(bytes - sent, 1 + (1_000 + i * 99_991L) % chunk.length);
                for (int j = 0; j < n; j++) {
                    chunk[j] = patternByte(sent + j);
                }
                out.write(chunk, 0, n);
                sent += n;
            }
            s.shutdownOutput();
            final InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "the sink sends nothing back");
        }
    }

    /**
     * Checks connection {@code conn}'s rotated files after {@code sent} bytes of the pattern: exactly
     * the newest {@code keepFiles} of the {@code ceil(sent / rotateBytes)} files the stream fills (one,
     * empty, for an empty stream) survive, each full but the last, each holding its part of the stream,
     * and no unrotated conn-N.bin exists.
     */
    public static void checkRotated(Path dir, int conn, long sent, long rotateBytes, int keepFiles)
            throws IOException {
        final long files = Math.max(1, (sent + rotateBytes - 1) / rotateBytes);
        final List<Long> expected = LongStream.range(Math.max(0, files - keepFiles), files).boxed().toList();
        final Pattern name = Pattern.compile("conn-" + conn + "-(\\d+)\\.bin");
        final List<Long> present = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path f : list.sorted().toList()) {
                final Matcher m = name.matcher(f.getFileName().toString());
                if (m.matches()) {
                    present.add(Long.parseLong(m.group(1)));
                }
            }
        }
        assertEquals(expected, present.stream().sorted().toList(), "conn=" + conn + " files in " + dir);
        assertFalse(Files.exists(dir.resolve("conn-" + conn + ".bin")), "conn=" + conn);
        for (long seq : expected) {
            final Path f = dir.resolve("conn-" + conn + "-" + seq + ".bin");
            final long start = seq * rotateBytes;
            final byte[] content = Files.readAllBytes(f);
            assertEquals(Math.min(rotateBytes, sent - start), content.length, f.toString());
            for (int i = 0; i < content.length; i++) {
                if (content[i] != patternByte(start + i)) {
                    assertEquals(patternByte(start + i), content[i], f + " at " + i + " (stream offset "
                        + (start + i) + ")");
                }
            }
        }
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
