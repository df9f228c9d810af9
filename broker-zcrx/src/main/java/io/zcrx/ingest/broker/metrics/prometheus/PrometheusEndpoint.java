package io.zcrx.ingest.broker.metrics.prometheus;

import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus scrape endpoint: {@code GET /metrics} over HTTP/1.1 on one daemon thread
 * ({@code zcrx-metrics-http}) with a non-blocking selector, answering with
 * {@link PrometheusText}.
 *
 * <p>Our own server rather than the JDK's {@code com.sun.net.httpserver}: that one cannot bound
 * the connections it holds, and its limits on request heads and read time are JVM-wide system
 * properties; a port that anything on the network may reach must bound both. The rules here:
 * <ul>
 *   <li>only {@code GET /metrics} (a query string is ignored): another path is 404, another method
 *       on it 405, a request line that is not {@code METHOD SP target SP HTTP/1.x} or a header line
 *       without a colon 400, bytes that cannot be part of a request line 400 at once;</li>
 *   <li>the request head (request line and headers) is at most {@value #HEAD_MAX_BYTES} bytes:
 *       beyond that 414 (no end of the request line yet) or 431, and the connection closes;</li>
 *   <li>a connection has {@value #READ_DEADLINE_MS} ms from accept to send its whole head and
 *       {@value #WRITE_DEADLINE_MS} ms to take the response; then it is closed (slowloris);</li>
 *   <li>at most {@value #MAX_CONNECTIONS} connections at once: a new one evicts the oldest still
 *       reading its head (else the oldest), so silent connections cannot lock a scraper out;</li>
 *   <li>every response says {@code Connection: close}; after it the write side is shut and what
 *       the client still sends is read and dropped (a close with unread input would reset the
 *       connection and could destroy the response before the client reads it);</li>
 *   <li>nothing a client does reaches the broker: every failure closes that one connection, and
 *       bad requests are logged at most once per {@value #LOG_INTERVAL_MS} ms, with a count.</li>
 * </ul>
 * A scrape builds its response on this thread (reading gauges is cheap by contract), so a slow
 * client delays only other scrapes.
 *
 * <p>Past 500 lines on purpose: each limit above is a state of one connection's life (reading
 * the head, writing, draining, expired, evicted) on one selector, and the rules read best next
 * to the loop that enforces them; the text format itself lives in {@link PrometheusText}.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    /** Largest request head (request line and headers). */
    static final int HEAD_MAX_BYTES = 8192;
    /** Time from accept until the whole request head must have arrived. */
    static final long READ_DEADLINE_MS = 5_000;
    /** Time for the client to take the whole response. */
    static final long WRITE_DEADLINE_MS = 30_000;
    /** Time to read and drop what a client still sends after its response. */
    static final long DRAIN_MS = 1_000;
    /** Connections held at once. */
    static final int MAX_CONNECTIONS = 16;
    /** At most one log line about bad requests per this interval. */
    static final long LOG_INTERVAL_MS = 60_000;
    /** The one path served. */
    static final String PATH = "/metrics";

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusEndpoint.class);

    private final MetricsRegistry registry;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final InetSocketAddress localAddress;
    /** Open connections, oldest first. */
    private final ArrayDeque<Conn> conns = new ArrayDeque<>();
    private final ByteBuffer drain = ByteBuffer.allocate(4096);
    private final Thread thread;
    private volatile boolean closed;

    // Counters (read by tests and the log line; written by the endpoint thread only).
    private volatile long scrapes;
    private volatile long rejected;
    private volatile long evicted;
    private volatile long expired;
    private volatile int open;
    private long lastLogNs;
    private long unlogged;

    private PrometheusEndpoint(MetricsRegistry registry, InetSocketAddress bind) throws IOException {
        this.registry = registry;
        this.selector = Selector.open();
        try {
            this.server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(bind, 64);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            this.localAddress = (InetSocketAddress) server.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        this.lastLogNs = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(LOG_INTERVAL_MS);
        this.thread = new Thread(this::run, "zcrx-metrics-http");
        thread.setDaemon(true);
    }

    /**
     * Binds {@code bind} (port 0: a free port) and starts serving; a bind failure (port in use)
     * is thrown here, at start, and never later.
     */
    public static PrometheusEndpoint start(MetricsRegistry registry, InetSocketAddress bind) throws IOException {
        final PrometheusEndpoint e;
        try {
            e = new PrometheusEndpoint(registry, bind);
        } catch (IOException ex) {
            throw new IOException("cannot open the Prometheus endpoint on " + bind + ": " + ex.getMessage(), ex);
        }
        e.thread.start();
        return e;
    }

    /** The address bound (the actual port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Scrapes answered with 200 so far. */
    public long scrapes() {
        return scrapes;
    }

    /** Requests answered with an error status so far. */
    public long rejected() {
        return rejected;
    }

    /** Connections closed so far to make room for a newer one. */
    public long evicted() {
        return evicted;
    }

    /** Connections closed so far at their deadline. */
    public long expired() {
        return expired;
    }

    /** Connections open now (a weakly consistent read for tests). */
    public int connections() {
        return open;
    }

    /** Where a connection is. */
    private enum State { READING, WRITING, DRAINING }

    /** One client connection. */
    private static final class Conn {
        final SocketChannel ch;
        final SelectionKey key;
        final SocketAddress peer;
        final ByteBuffer head = ByteBuffer.allocate(HEAD_MAX_BYTES);
        State state = State.READING;
        long deadlineNs;
        /** Bytes of the head already checked for the end of the request line / head. */
        int scanned;
        /** End of the request line (index of its LF) once seen, else -1. */
        int requestLineEnd = -1;
        ByteBuffer response;

        Conn(SocketChannel ch, SelectionKey key, SocketAddress peer, long deadlineNs) {
            this.ch = ch;
            this.key = key;
            this.peer = peer;
            this.deadlineNs = deadlineNs;
        }
    }

    private void run() {
        while (!closed) {
            try {
                selector.select(selectTimeoutMs());
                if (closed) {
                    break;
                }
                final Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    final SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.channel() == server) {
                        acceptAll();
                    } else {
                        service((Conn) k.attachment());
                    }
                }
                expire();
            } catch (ClosedSelectorException e) {
                break;
            } catch (IOException | RuntimeException e) {
                // Not expected (per-connection failures are handled in service): keep serving.
                logLimited("metrics endpoint: unexpected failure, still serving: " + e);
            } catch (OutOfMemoryError e) {
                // A scrape too large for the heap: drop the connections, keep the broker's heap.
                closeAll();
                logLimited("metrics endpoint: out of memory building a response: " + e);
            }
        }
        closeAll();
    }

    private long selectTimeoutMs() {
        if (conns.isEmpty()) {
            return 0;
        }
        long next = Long.MAX_VALUE;
        for (Conn c : conns) {
            next = Math.min(next, c.deadlineNs - System.nanoTime());
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next) + 1);
    }

    private void acceptAll() {
        while (true) {
            final SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                // Out of descriptors, for example: try again on the next readiness.
                logLimited("metrics endpoint: accept failed: " + e);
                return;
            }
            if (ch == null) {
                return;
            }
            if (conns.size() >= MAX_CONNECTIONS) {
                evictOne();
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                final SocketAddress peer = ch.getRemoteAddress();
                final SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
                final Conn c = new Conn(ch, key, peer,
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_DEADLINE_MS));
                key.attach(c);
                conns.addLast(c);
                open = conns.size();
            } catch (IOException e) {
                closeQuietly(ch);
            }
        }
    }

    /** Closes the oldest connection still reading its head, else the oldest of all. */
    private void evictOne() {
        Conn victim = null;
        for (Conn c : conns) {
            if (c.state == State.READING) {
                victim = c;
                break;
            }
        }
        if (victim == null) {
            victim = conns.peekFirst();
        }
        if (victim != null) {
            evicted++;
            close(victim);
        }
    }

    private void expire() {
        if (conns.isEmpty()) {
            return;
        }
        final long now = System.nanoTime();
        final List<Conn> due = new ArrayList<>(0);
        for (Conn c : conns) {
            if (now - c.deadlineNs >= 0) {
                due.add(c);
            }
        }
        for (Conn c : due) {
            if (c.state != State.DRAINING) {
                expired++;
                bad(c, c.state == State.READING ? "request head not complete within " + READ_DEADLINE_MS + " ms"
                    : "response not taken within " + WRITE_DEADLINE_MS + " ms");
            }
            close(c);
        }
    }

    private void service(Conn c) {
        try {
            switch (c.state) {
                case READING:
                    read(c);
                    break;
                case WRITING:
                    write(c);
                    break;
                default:
                    drain(c);
                    break;
            }
        } catch (IOException | RuntimeException e) {
            // The client reset the connection, or something about this one request failed: it
            // costs this connection only.
            if (!(e instanceof IOException)) {
                logLimited("metrics endpoint: request from " + c.peer + " failed: " + e);
            }
            close(c);
        }
    }

    private void read(Conn c) throws IOException {
        final int n = c.ch.read(c.head);
        if (n < 0) {
            // Closed (or half-closed) before a whole head: nothing to answer.
            close(c);
            return;
        }
        final byte[] b = c.head.array();
        final int end = c.head.position();
        for (int i = c.scanned; i < end; i++) {
            final byte x = b[i];
            if (c.requestLineEnd < 0) {
                if (x == '\n') {
                    c.requestLineEnd = i;
                    if (!requestLineShapeOk(b, i)) {
                        respond(c, 400, "Bad Request", "malformed request line\n", null);
                        return;
                    }
                } else if (x != '\r' && (x < 0x20 || x > 0x7e)) {
                    respond(c, 400, "Bad Request", "not an HTTP request\n", null);
                    return;
                }
            } else if (x == '\n' && endsHead(b, c.requestLineEnd, i)) {
                c.scanned = i + 1;
                handle(c, b, i);
                return;
            }
        }
        c.scanned = end;
        if (!c.head.hasRemaining()) {
            if (c.requestLineEnd < 0) {
                respond(c, 414, "URI Too Long", "request line longer than " + HEAD_MAX_BYTES + " bytes\n", null);
            } else {
                respond(c, 431, "Request Header Fields Too Large",
                    "request head longer than " + HEAD_MAX_BYTES + " bytes\n", null);
            }
        }
    }

    /**
     * True if the LF at {@code lf} ends an empty line (CRLF CRLF or LF LF): the one before it, at or
     * after the request line's, directly precedes it (or only a CR is between them).
     */
    private static boolean endsHead(byte[] b, int requestLineEnd, int lf) {
        int i = lf - 1;
        if (i > requestLineEnd && b[i] == '\r') {
            i--;
        }
        return i >= requestLineEnd && b[i] == '\n';
    }

    /** A quick check as soon as the request line is in: three parts and an HTTP/1.x version. */
    private static boolean requestLineShapeOk(byte[] b, int lf) {
        final int end = lf > 0 && b[lf - 1] == '\r' ? lf - 1 : lf;
        return parseRequestLine(new String(b, 0, end, StandardCharsets.ISO_8859_1)) != null;
    }

    /**
     * {@code [method, path]} of {@code METHOD SP target SP HTTP/1.x} (the line without its CRLF),
     * or null if malformed.
     */
    static String[] parseRequestLine(String line) {
        for (int i = 0; i < line.length(); i++) {
            final char c = line.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return null;
            }
        }
        final String[] parts = line.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return null;
        }
        for (int i = 0; i < parts[0].length(); i++) {
            final char c = parts[0].charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return null;
            }
        }
        final String target = parts[1];
        if (target.charAt(0) != '/' && !target.equals("*")) {
            return null;
        }
        final String v = parts[2];
        if (v.length() != 8 || !v.startsWith("HTTP/1.") || !Character.isDigit(v.charAt(7))) {
            return null;
        }
        final int q = target.indexOf('?');
        return new String[] {parts[0], q < 0 ? target : target.substring(0, q)};
    }

    /** The whole head is in {@code b[0..lf]}: answer it. */
    private void handle(Conn c, byte[] b, int lf) {
        final String head = new String(b, 0, lf + 1, StandardCharsets.ISO_8859_1);
        final String[] lines = head.split("\r?\n");
        final String[] req = parseRequestLine(lines[0]);
        if (req == null) {
            respond(c, 400, "Bad Request", "malformed request line\n", null);
            return;
        }
        for (int i = 1; i < lines.length; i++) {
            final String h = lines[i];
            if (h.isEmpty()) {
                continue;
            }
            final int colon = h.indexOf(':');
            if (colon <= 0 || h.charAt(colon - 1) == ' ' || h.charAt(colon - 1) == '\t') {
                respond(c, 400, "Bad Request", "malformed header line\n", null);
                return;
            }
        }
        if (!req[1].equals(PATH)) {
            respond(c, 404, "Not Found", "only " + PATH + " is served here\n", null);
            return;
        }
        if (!req[0].equals("GET")) {
            respond(c, 405, "Method Not Allowed", "only GET\n", "Allow: GET\r\n");
            return;
        }
        final StringBuilder body = new StringBuilder(16 * 1024);
        final int skipped = PrometheusText.write(registry, body);
        if (skipped > 0) {
            logLimited("metrics endpoint: " + skipped + " metric(s) left out of a scrape (a gauge failed, or two "
                + "metrics map to one name with different types)");
        }
        scrapes++;
        send(c, 200, "OK", PrometheusText.CONTENT_TYPE, body.toString().getBytes(StandardCharsets.UTF_8), null);
    }

    private void respond(Conn c, int status, String reason, String body, String extraHeaders) {
        rejected++;
        bad(c, status + " " + reason);
        send(c, status, reason, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), extraHeaders);
    }

    private void send(Conn c, int status, String reason, String contentType, byte[] body, String extraHeaders) {
        final String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
            + "Content-Type: " + contentType + "\r\n"
            + "Content-Length: " + body.length + "\r\n"
            + (extraHeaders == null ? "" : extraHeaders)
            + "Connection: close\r\n\r\n";
        final byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuffer out = ByteBuffer.allocate(h.length + body.length);
        out.put(h).put(body).flip();
        c.response = out;
        c.state = State.WRITING;
        c.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WRITE_DEADLINE_MS);
        c.key.interestOps(SelectionKey.OP_WRITE);
        try {
            write(c);
        } catch (IOException e) {
            close(c);
        }
    }

    private void write(Conn c) throws IOException {
        c.ch.write(c.response);
        if (c.response.hasRemaining()) {
            return;
        }
        c.response = null;
        c.ch.shutdownOutput();
        c.state = State.DRAINING;
        c.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private void drain(Conn c) throws IOException {
        drain.clear();
        if (c.ch.read(drain) < 0) {
            close(c);
        }
    }

    private void bad(Conn c, String what) {
        logLimited("metrics endpoint: " + what + " (from " + c.peer + ")");
    }

    /** At most one line per {@value #LOG_INTERVAL_MS} ms, saying how many were not logged. */
    private void logLimited(String line) {
        final long now = System.nanoTime();
        if (now - lastLogNs >= TimeUnit.MILLISECONDS.toNanos(LOG_INTERVAL_MS)) {
            if (unlogged > 0) {
                LOG.warn("{}; {} more such event(s) in the last {} s not logged", line, unlogged,
                    LOG_INTERVAL_MS / 1000);
            } else {
                LOG.warn(line);
            }
            lastLogNs = now;
            unlogged = 0;
        } else {
            unlogged++;
        }
    }

    private void close(Conn c) {
        conns.remove(c);
        open = conns.size();
        c.key.cancel();
        closeQuietly(c.ch);
    }

    private void closeAll() {
        for (Conn c : new ArrayList<>(conns)) {
            close(c);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }

    /** Stops the thread and closes the port and every connection; waits for the thread to end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the Prometheus endpoint's port: {}", e.toString());
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing the Prometheus endpoint's selector: {}", e.toString());
        }
    }
}
