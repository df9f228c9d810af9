package io.zcrx.ingest.protocol.bytes;

/**
 * The transport that owns the memory behind an {@link RxChunk}: a zcrx area (the chunk goes back
 * through the refill ring), a provided-buffer ring (the buffer is re-added to the ring) or the NIO
 * buffer pool (the buffer is returned to the free list).
 *
 * <p>Called on the reactor thread that received the chunk, exactly once per chunk, when the last
 * reference is released.
 */
public interface ChunkOwner {
    void onChunkReleased(RxChunk chunk);
}
