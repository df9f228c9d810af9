package io.zcrx.ingest.broker.testkit;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A bare Kafka protocol client for tests: sends requests built with kafka-clients (or raw bytes)
 * over one socket and reads size-prefixed responses, so tests can speak exactly the versions and
 * the malformed input they want.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId = 1;

    public RawClient(int port) throws IOException {
        this.socket = new Socket("127.0.0.1", port);
        this.socket.setSoTimeout(10_000);
        this.socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Sends {@code request} at {@code version} and returns the header used. */
    public RequestHeader send(AbstractRequest request, short version) throws IOException {
        final RequestHeader header = new RequestHeader(request.apiKey(), version, "raw-client", correlationId++);
        final ByteBuffer b = request.serializeWithHeader(header);
        final byte[] frame = new byte[4 + b.remaining()];
        ByteBuffer.wrap(frame).putInt(b.remaining()).put(b);
        out.write(frame);
        out.flush();
        return header;
    }

    /** Sends and parses the matching response. */
    @SuppressWarnings("unchecked")
    public <T extends AbstractResponse> T roundTrip(AbstractRequest.Builder<?> builder,
            short version) throws IOException {
        final AbstractRequest req = builder.build(version);
        final RequestHeader header = send(req, version);
        final ByteBuffer resp = ByteBuffer.wrap(readFrame());
        return (T) AbstractResponse.parseResponse(resp, header);
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one response frame (without its size prefix). */
    public byte[] readFrame() throws IOException {
        final int size = in.readInt();
        if (size < 0 || size > 100 * 1024 * 1024) {
            throw new IOException("bad response size " + size);
        }
        final byte[] b = new byte[size];
        in.readFully(b);
        return b;
    }

    /** True if the broker closed the connection (EOF or reset) within the timeout, with no bytes. */
    public boolean closedByBroker() throws IOException {
        try {
            final int b = in.read();
            if (b >= 0) {
                throw new AssertionError("expected the broker to close the connection, got a byte: " + b);
            }
            return true;
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Bytes that arrived and are not read yet (a negative check: "nothing was answered so far"). */
    public int available() throws IOException {
        return in.available();
    }

    public int nextCorrelationId() {
        return correlationId;
    }

    public static ApiKeys api(short key) {
        return ApiKeys.forId(key);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
