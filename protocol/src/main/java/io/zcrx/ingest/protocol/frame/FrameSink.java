package io.zcrx.ingest.protocol.frame;

/** Receives complete frames, in stream order; takes ownership of each (must {@link Frame#close()} it). */
@FunctionalInterface
public interface FrameSink {
    void onFrame(Frame frame);
}
