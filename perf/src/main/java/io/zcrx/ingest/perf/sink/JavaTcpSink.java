package io.zcrx.ingest.perf.sink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The Java fallback of the physical-limit sink (used when no C compiler is found): same arguments,
 * behaviour, file names and output lines as {@code tcp_sink.c}. Per connection, one thread reads
 * into a 1 MiB direct buffer and writes it to {@code conn-N.bin} with a FileChannel (no heap copy);
 * on EOF the file is closed before the socket, so the sender's "closed" means "all written".
 *
 * <p>Rotation ({@code rotate=BYTES keep=N}) is the sink's counterpart of the brokers' retention: in
 * the bounded-footprint mode the brokers delete old segments as they write, so their data on tmpfs
 * stays bounded however long the run, and the limit must pay the same. Connection N then writes
 * {@code conn-N-SEQ.bin} (SEQ from 0), each file at most BYTES (a read crossing the boundary is
 * split); the next file is opened when its first byte arrives, and opening SEQ first deletes SEQ-keep,
 * so at most {@code keep} files per connection exist, the one being written included.
 *
 * <p>Usage: {@code JavaTcpSink PORT OUT_DIR [discard | rotate=BYTES keep=N]} (discard: receive only,
 * write nothing; rotation not with it). Bad arguments: a message on stderr, exit 2. Also usable
 * in-process ({@link #start}) by tests.
 */
public final class JavaTcpSink implements AutoCloseable {
    public static final String STARTED = "tcp-sink started port=";
    /** Smallest rotation size: below a read buffer a file would be split on every read. */
    public static final long ROTATE_BYTES_MIN = 1L << 20;
    public static final long ROTATE_BYTES_MAX = 1L << 40;
    public static final int KEEP_FILES_MAX = 1_000_000;
    static final String USAGE = "usage: JavaTcpSink PORT OUT_DIR [discard | rotate=BYTES keep=N]";
    static final int BUFFER_BYTES = 1 << 20;

    private final ServerSocketChannel server;
    private final Path dir;
    private final boolean discard;
    /** 0: one file per connection. */
    private final long rotateBytes;
    private final int keepFiles;
    private final Consumer<String> lines;
    private final Thread acceptor;
    private final AtomicInteger ids = new AtomicInteger();

    private JavaTcpSink(ServerSocketChannel server, Path dir, boolean discard, long rotateBytes, int keepFiles,
                        Consumer<String> lines) {
        this.server = server;
        this.dir = dir;
        this.discard = discard;
        this.rotateBytes = rotateBytes;
        this.keepFiles = keepFiles;
        this.lines = lines;
        this.acceptor = new Thread(this::acceptLoop, "tcp-sink-accept");
        this.acceptor.setDaemon(true);
    }

    /** Listens on 127.0.0.1:{@code port} (0 = any) and serves connections on daemon threads. */
    public static JavaTcpSink start(int port, Path dir) throws IOException {
        return start(port, dir, false);
    }

    /** As {@link #start(int, Path)}; with {@code discard} the bytes are received and dropped. */
    public static JavaTcpSink start(int port, Path dir, boolean discard) throws IOException {
        return start(port, dir, discard, 0, 0, JavaTcpSink::println);
    }

    /**
     * As {@link #start(int, Path)}, rotating each connection's file every {@code rotateBytes} and
     * keeping {@code keepFiles} of them; {@code rotateBytes} 0 = no rotation ({@code keepFiles} ignored).
     *
     * @throws IllegalArgumentException when the rotation is out of range ({@link #checkRotation})
     */
    public static JavaTcpSink start(int port, Path dir, long rotateBytes, int keepFiles) throws IOException {
        return start(port, dir, false, rotateBytes, keepFiles, JavaTcpSink::println);
    }

    /** The general form; {@code lines} receives the per-connection "closed" and "error" lines. */
    static JavaTcpSink start(int port, Path dir, boolean discard, long rotateBytes, int keepFiles,
                             Consumer<String> lines) throws IOException {
        if (rotateBytes != 0) {
            checkRotation(rotateBytes, keepFiles);
            if (discard) {
                throw new IllegalArgumentException("rotation needs written files, not discard: rotateBytes="
                    + rotateBytes + ", keepFiles=" + keepFiles);
            }
        }
        final ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        final JavaTcpSink sink = new JavaTcpSink(s, dir, discard, rotateBytes, rotateBytes == 0 ? 0 : keepFiles,
            lines);
        sink.acceptor.start();
        return sink;
    }

    /**
     * Checks a rotation (both values in force): the messages are the C sink's, naming the argument.
     *
     * @throws IllegalArgumentException when {@code rotateBytes} is outside [1 MiB, 2^40] or
     *                                  {@code keepFiles} outside [1, 1000000]
     */
    public static void checkRotation(long rotateBytes, int keepFiles) {
        if (rotateBytes < ROTATE_BYTES_MIN || rotateBytes > ROTATE_BYTES_MAX) {
            throw new IllegalArgumentException(rotateError(Long.toString(rotateBytes)));
        }
        if (keepFiles < 1 || keepFiles > KEEP_FILES_MAX) {
            throw new IllegalArgumentException(keepError(Integer.toString(keepFiles)));
        }
    }

    private static String rotateError(String value) {
        return "tcp-sink: rotate=" + value + ": must be a whole number of bytes from " + ROTATE_BYTES_MIN + " to "
            + ROTATE_BYTES_MAX;
    }

    private static String keepError(String value) {
        return "tcp-sink: keep=" + value + ": must be a whole number of files from 1 to " + KEEP_FILES_MAX;
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
        try (ch; Output out = discard ? null : new Output(id)) {
            int n;
            while ((n = ch.read(buf)) >= 0) {
                buf.flip();
                total += n;
                if (out != null) {
                    out.write(buf);
                }
                buf.clear();
            }
            if (out != null) {
                out.close();
            }
            lines.accept("tcp-sink closed conn=" + id + " bytes=" + total);
        } catch (IOException e) {
            lines.accept("tcp-sink error conn=" + id + ": " + e);
        }
    }

    /** One connection's file, or with rotation its current file of the sequence. */
    private final class Output implements AutoCloseable {
        private final int id;
        private FileChannel file;
        /** With rotation: the file being written, or the last one closed. */
        private long seq;
        /** With rotation: bytes in file {@code seq} ({@code rotateBytes} once it is closed). */
        private long inFile;

        /** Opens the connection's (first) file now, so a connection that sends nothing still leaves one. */
        Output(int id) throws IOException {
            this.id = id;
            if (rotateBytes == 0) {
                open("conn-" + id + ".bin");
            } else {
                openRotated(0);
            }
        }

        private void open(String name) throws IOException {
            file = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        }

        private String rotatedName(long s) {
            return "conn-" + id + "-" + s + ".bin";
        }

        /** Opens file {@code s} of the sequence, first deleting the one {@code keepFiles} back. */
        private void openRotated(long s) throws IOException {
            if (s >= keepFiles) {
                Files.delete(dir.resolve(rotatedName(s - keepFiles)));
            }
            open(rotatedName(s));
            seq = s;
            inFile = 0;
        }

        /** Writes all of {@code buf}'s remaining bytes. */
        void write(ByteBuffer buf) throws IOException {
            if (rotateBytes == 0) {
                while (buf.hasRemaining()) {
                    file.write(buf);
                }
                return;
            }
            final int limit = buf.limit();
            while (buf.hasRemaining()) {
                if (file == null) {
                    openRotated(seq + 1);
                }
                final long room = rotateBytes - inFile;
                buf.limit((int) Math.min(limit, buf.position() + room));
                while (buf.hasRemaining()) {
                    inFile += file.write(buf);
                }
                buf.limit(limit);
                if (inFile == rotateBytes) {
                    closeFile();
                }
            }
        }

        private void closeFile() throws IOException {
            final FileChannel f = file;
            file = null;
            f.close();
        }

        @Override
        public void close() throws IOException {
            if (file != null) {
                closeFile();
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private static void println(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /**
     * Parses {@code PORT OUT_DIR [discard | rotate=BYTES keep=N]} and starts the sink.
     *
     * @throws IllegalArgumentException with the usage line, or naming the bad argument and its value
     */
    static JavaTcpSink fromArgs(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException(USAGE);
        }
        boolean discard = false;
        String rotate = null;
        String keep = null;
        for (int i = 2; i < args.length; i++) {
            final String a = args[i];
            if (a.equals("discard") && !discard) {
                discard = true;
            } else if (a.startsWith("rotate=") && rotate == null) {
                rotate = a.substring("rotate=".length());
            } else if (a.startsWith("keep=") && keep == null) {
                keep = a.substring("keep=".length());
            } else {
                throw new IllegalArgumentException(USAGE);
            }
        }
        if ((rotate == null) != (keep == null) || rotate != null && discard) {
            throw new IllegalArgumentException(USAGE);
        }
        long rotateBytes = 0;
        int keepFiles = 0;
        if (rotate != null) {
            rotateBytes = parseBounded(rotate, ROTATE_BYTES_MIN, ROTATE_BYTES_MAX, rotateError(rotate));
            keepFiles = (int) parseBounded(keep, 1, KEEP_FILES_MAX, keepError(keep));
        }
        return start(Integer.parseInt(args[0]), Path.of(args[1]), discard, rotateBytes, keepFiles,
            JavaTcpSink::println);
    }

    /** Digits only (as the C sink: no sign, no spaces), within [min, max]. */
    private static long parseBounded(String value, long min, long max, String error) {
        if (value.isEmpty() || value.length() > 19 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(error);
        }
        final long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(error, e);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(error);
        }
        return v;
    }

    public static void main(String[] args) throws Exception {
        final JavaTcpSink sink;
        try {
            sink = fromArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println(STARTED + sink.port());
        System.out.flush();
        sink.acceptor.join();
    }
}
