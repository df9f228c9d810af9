package io.zcrx.ingest.perf.sink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java fallback of the physical-limit sink (used when no C compiler is found): same behaviour
 * and output lines as {@code tcp_sink.c}. Per connection, one thread reads into a 1 MiB direct
 * buffer and writes it to {@code conn-N.bin} with a FileChannel (no heap copy); on EOF the file is
 * closed before the socket, so the sender's "closed" means "all written".
 *
 * <p>Usage: {@code JavaTcpSink PORT OUT_DIR [discard]} (discard: receive only, write nothing). Also
 * usable in-process ({@link #start}) by tests.
 */
public final class JavaTcpSink implements AutoCloseable {
    public static final String STARTED = "tcp-sink started port=";
    static final int BUFFER_BYTES = 1 << 20;

    private final ServerSocketChannel server;
    private final Path dir;
    private final boolean discard;
    private final Thread acceptor;
    private final AtomicInteger ids = new AtomicInteger();

    private JavaTcpSink(ServerSocketChannel server, Path dir, boolean discard) {
        this.server = server;
        this.dir = dir;
        this.discard = discard;
        this.acceptor = new Thread(this::acceptLoop, "tcp-sink-accept");
        this.acceptor.setDaemon(true);
    }

    /** Listens on 127.0.0.1:{@code port} (0 = any) and serves connections on daemon threads. */
    public static JavaTcpSink start(int port, Path dir) throws IOException {
        return start(port, dir, false);
    }

    /** As {@link #start(int, Path)}; with {@code discard} the bytes are received and dropped. */
    public static JavaTcpSink start(int port, Path dir, boolean discard) throws IOException {
        final ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        final JavaTcpSink sink = new JavaTcpSink(s, dir, discard);
        sink.acceptor.start();
        return sink;
    }

    public int port() {
        return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    private void acceptLoop() {
        try {
            while (true) {
                final SocketChannel ch = server.accept();
                final int id = ids.getAndIncrement();
                final Thread t = new Thread(() -> serve(ch, id), "tcp-sink-" + id);
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException e) {
            // Closed by close(): stop accepting.
        }
    }

    private void serve(SocketChannel ch, int id) {
        final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
        long total = 0;
        try (ch; FileChannel out = discard ? null : FileChannel.open(dir.resolve("conn-" + id + ".bin"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            int n;
            while ((n = ch.read(buf)) >= 0) {
                buf.flip();
                if (out == null) {
                    total += n;
                }
                while (out != null && buf.hasRemaining()) {
                    total += out.write(buf);
                }
                buf.clear();
            }
            if (out != null) {
                out.close();
            }
            System.out.println("tcp-sink closed conn=" + id + " bytes=" + total);
            System.out.flush();
        } catch (IOException e) {
            System.out.println("tcp-sink error conn=" + id + ": " + e);
            System.out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 && !(args.length == 3 && args[2].equals("discard"))) {
            System.err.println("usage: JavaTcpSink PORT OUT_DIR [discard]");
            System.exit(2);
        }
        final JavaTcpSink sink = start(Integer.parseInt(args[0]), Path.of(args[1]), args.length == 3);
        System.out.println(STARTED + sink.port());
        System.out.flush();
        sink.acceptor.join();
    }
}
