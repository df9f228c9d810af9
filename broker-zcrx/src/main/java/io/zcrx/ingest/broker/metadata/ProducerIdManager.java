package io.zcrx.ingest.broker.metadata;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out producer ids for InitProducerId, never reusing one across restarts (idempotence state
 * for an id may outlive the process: docs/kafka-protocol-notes.md#initproducerid). Like Kafka's controller
 * it reserves blocks of {@value #BLOCK_SIZE} ids: the end of the current block is made durable
 * ({@code zcrx-producer-id-block} in the first log dir, written to a temp file, fsynced, renamed)
 * before the first id of the block is given out, so a crash skips at most the rest of a block.
 *
 * <p>Thread-safe.
 */
public final class ProducerIdManager {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerIdManager.class);
    static final long BLOCK_SIZE = 1000;
    static final String FILE_NAME = "zcrx-producer-id-block";

    private final Path file;
    private long next;
    private long blockEnd;

    /**
     * @param largestIdInLogs the largest producer id found in any partition's producer state (-1 if
     *                        none), so ids stay unique even if the block file was lost
     */
    public ProducerIdManager(Path logDir, long largestIdInLogs) throws IOException {
        this.file = logDir.resolve(FILE_NAME);
        long stored = 0;
        if (Files.exists(file)) {
            final String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
            try {
                stored = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new IOException("producer id block file " + file + " is corrupt: content='" + s + "'", e);
            }
            if (stored < 0) {
                throw new IOException("producer id block file " + file + " is corrupt: blockEnd=" + stored);
            }
        }
        this.next = Math.max(stored, largestIdInLogs + 1);
        this.blockEnd = next;
        LOG.info("producer ids continue from {}", next);
    }

    /** A producer id never handed out before (durably). */
    public synchronized long nextId() throws IOException {
        if (next >= blockEnd) {
            final long end = next + BLOCK_SIZE;
            persist(end);
            blockEnd = end;
        }
        return next++;
    }

    private void persist(long end) throws IOException {
        final Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap((end + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
