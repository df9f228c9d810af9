package io.zcrx.ingest.broker.testkit;

import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.RequestChannel;
import io.zcrx.ingest.broker.request.ResponseWriter;
import io.zcrx.ingest.broker.transport.ReactorIo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Message;

/**
 * A connection as a handler sees it, for handler unit tests: it keeps what the handler answers
 * (control-plane messages, encoded frames, deferred responses, a close) instead of sending it.
 * Deferred responses complete a future, from any thread.
 */
public final class RecordingChannel implements RequestChannel {
    /** Control-plane messages answered at once, in order. */
    public final List<Message> messages = new ArrayList<>();
    /** Frames the hot path encoded ({@link #beginResponse}/{@link #commitResponse}), size prefix included. */
    public final List<ByteBuffer> frames = new ArrayList<>();
    /** Responses promised with {@link #defer}, in order. */
    public final List<Deferred> deferred = new ArrayList<>();
    /** Why the handler closed the connection, or null. */
    public volatile String closed;
    private ByteBuffer open;

    /** A promised response; {@link #answer} completes when the handler completes it. */
    public static final class Deferred implements PendingResponse {
        public final CompletableFuture<Message> answer = new CompletableFuture<>();
        private final short version;
        private final int correlationId;

        Deferred(short version, int correlationId) {
            this.version = version;
            this.correlationId = correlationId;
        }

        @Override
        public void complete(Message body) {
            answer.complete(body);
        }

        @Override
        public void completeEncoded(byte[] encodedFrame) {
            throw new UnsupportedOperationException("not recorded");
        }

        @Override
        public void completeWith(ResponseWriter writer) {
            throw new UnsupportedOperationException("not recorded");
        }

        @Override
        public void completeFromAnyThread(Message body) {
            answer.complete(body);
        }

        @Override
        public short version() {
            return version;
        }

        @Override
        public int correlationId() {
            return correlationId;
        }

        @Override
        public boolean isAbandoned() {
            return false;
        }
    }

    @Override
    public ByteBuffer beginResponse(int length) {
        open = ByteBuffer.allocate(length);
        return open;
    }

    @Override
    public void commitResponse() {
        frames.add(open.flip());
        open = null;
    }

    @Override
    public void sendResponse(int correlationId, short headerVersion, Message body, short version) {
        messages.add(body);
    }

    @Override
    public void sendResponse(ResponseWriter writer) {
        throw new UnsupportedOperationException("file-region responses are not recorded");
    }

    @Override
    public PendingResponse defer(int correlationId, short headerVersion, short version) {
        final Deferred d = new Deferred(version, correlationId);
        deferred.add(d);
        return d;
    }

    @Override
    public void closeAfterFailure(String reason) {
        closed = reason;
    }

    @Override
    public String describe() {
        return "recording connection";
    }

    @Override
    public ReactorIo reactor() {
        return null;
    }

    @Override
    public String clientHost() {
        return "/127.0.0.1";
    }

    @Override
    public String clientId() {
        return "test-client";
    }
}
