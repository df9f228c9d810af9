package io.zcrx.ingest.broker.testkit;

import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.outbound.OutboundBlockPool;
import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * A connection's transport side for the fuzz harnesses: whatever the broker queues is drained at once (dropped, or
 * kept in {@link #captured} while {@link #capture} is set, for seeds and canaries), pauses and closes are recorded,
 * and a close reaches the handler as a transport's would. Single-threaded, as the harnesses drive it.
 */
public final class DrainingConnectionIo implements ConnectionIo {
    private final long id;
    private final OutboundQueue outbound;
    private final ReactorIo reactor;
    private final ByteBuffer[] views = new ByteBuffer[16];
    public ConnectionHandler handler;
    public boolean paused;
    public boolean closed;
    public boolean capture;
    public final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public DrainingConnectionIo(long id, OutboundBlockPool blocks, ReactorIo reactor) {
        this.id = id;
        this.outbound = new OutboundQueue(blocks);
        this.reactor = reactor;
    }

    @Override
    public long connectionId() {
        return id;
    }

    @Override
    public String remoteAddress() {
        return "127.0.0.1:" + (40000 + id % 20000);
    }

    @Override
    public OutboundQueue outbound() {
        return outbound;
    }

    @Override
    public void flush() {
        while (!outbound.isEmpty()) {
            if (outbound.headIsFile()) {
                outbound.consumed(outbound.headFileRemaining());
                continue;
            }
            final int count = outbound.headBuffers(views);
            long n = 0;
            for (int i = 0; i < count; i++) {
                final ByteBuffer v = views[i];
                if (capture) {
                    final byte[] b = new byte[v.remaining()];
                    v.duplicate().get(b);
                    captured.write(b, 0, b.length);
                }
                n += v.remaining();
                views[i] = null;
            }
            outbound.consumed(n);
        }
    }

    @Override
    public void pauseReceive() {
        paused = true;
    }

    @Override
    public void resumeReceive() {
        paused = false;
    }

    @Override
    public void close(String reason, boolean flushFirst) {
        if (closed) {
            return;
        }
        if (flushFirst) {
            flush();
        }
        closed = true;
        outbound.clear();
        if (handler != null) {
            handler.onClosed(reason);
        }
    }

    @Override
    public ReactorIo reactor() {
        return reactor;
    }
}
