package io.zcrx.ingest.broker.uring.testkit;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Test client for {@link PatternSink}: sends an 8-byte seed and {@code length} pattern bytes in writes
 * of random size (so the server sees arbitrary chunk boundaries), half-closes, then reads acks until the
 * server closes. {@link #lastAck()} must equal {@code length}.
 */
public final class PatternClient implements AutoCloseable {
    private final Socket socket;
    private final long seed;
    private long lastAck = -1;

    public PatternClient(InetSocketAddress server, long seed) throws IOException {
        this.socket = new Socket();
        this.socket.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 10_000);
        this.socket.setSoTimeout(30_000);
        this.seed = seed;
    }

    public Socket socket() {
        return socket;
    }

    /** Sends the seed and {@code length} pattern bytes from stream position 0. */
    public void send(long length, Random random) throws IOException {
        final OutputStream out = socket.getOutputStream();
        out.write(ByteBuffer.allocate(8).putLong(seed).array());
        long position = 0;
        final byte[] buf = new byte[64 * 1024];
        while (position < length) {
            final int n = (int) Math.min(length - position, 1 + random.nextInt(buf.length));
            for (int i = 0; i < n; i++) {
                buf[i] = StreamPattern.byteAt(seed, position + i);
            }
            out.write(buf, 0, n);
            position += n;
        }
        out.flush();
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads acks until EOF; returns the last one (-1 if none). */
    public long readAcksUntilClose() throws IOException {
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        while (true) {
            try {
                lastAck = in.readLong();
            } catch (EOFException eof) {
                return lastAck;
            }
        }
    }

    public long lastAck() {
        return lastAck;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
