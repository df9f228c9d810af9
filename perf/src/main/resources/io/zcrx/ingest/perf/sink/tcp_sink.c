/*
 * tcp_sink: the "physical limit" of the perf harness. Accepts TCP connections on
 * 127.0.0.1, and for each one, on its own thread, read()s into a 1 MiB buffer and write()s every
 * byte to its own file in OUT_DIR: receive + one copy into the page cache, nothing else. When a
 * connection reaches EOF, its file is closed, then the socket, so the sender knows every byte it
 * sent is in the file once it sees the close.
 *
 * Usage: tcp_sink PORT OUT_DIR [discard | rotate=BYTES keep=N]
 *   PORT 0 = any free port. Without options each connection K writes OUT_DIR/conn-K.bin.
 *   discard: receive only, write nothing, to show how much of the limit is the network and how
 *     much the file write.
 *   rotate=BYTES keep=N (both, in either order): the sink's counterpart of the brokers' retention.
 *     In the bounded-footprint mode the brokers run with Kafka's retention, deleting old segments as
 *     they write, so their data on tmpfs (page cache) stays bounded however long the run; the limit
 *     must pay the same. Connection K then writes OUT_DIR/conn-K-SEQ.bin (SEQ from 0): a file takes
 *     at most BYTES (a read that crosses the boundary is split), then it is closed, and the next
 *     file is opened when the next byte arrives (so a file is never left empty, except conn-K-0.bin
 *     of a connection that sent nothing); opening SEQ first unlinks SEQ-N, so at most N files per
 *     connection exist, the one being written included. BYTES in [1 MiB, 2^40], N in [1, 1000000].
 *     Not allowed with discard (nothing to rotate).
 * Prints "tcp-sink started port=N" when listening; "tcp-sink closed conn=K bytes=B" per connection
 * (B: every byte received on it, across all its files). Bad arguments: a message on stderr, exit 2.
 * Exits on SIGTERM (default action). Compiled by the harness at run time with the machine's cc.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER_BYTES (1 << 20)
#define ROTATE_BYTES_MIN (1LL << 20)
#define ROTATE_BYTES_MAX (1LL << 40)
#define KEEP_FILES_MAX 1000000LL

struct options {
    const char *dir;
    int discard;
    long long rotate_bytes; /* 0: one file per connection, no rotation */
    long long keep_files;
};

struct conn {
    int fd;
    int id;
    const struct options *opt;
};

static void die(const char *what)
{
    fprintf(stdout, "tcp-sink error %s: %s\n", what, strerror(errno));
    fflush(stdout);
    exit(1);
}

static int write_all(int fd, const char *p, ssize_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, (size_t) n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= w;
    }
    return 0;
}

static int open_out(const char *path)
{
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0)
        die("open");
    return out;
}

static void rotated_path(char *path, size_t size, const struct conn *c, long long seq)
{
    snprintf(path, size, "%s/conn-%d-%lld.bin", c->opt->dir, c->id, seq);
}

/* Opens file SEQ of a rotating connection, first unlinking the one `keep_files` back. */
static int open_rotated(const struct conn *c, long long seq)
{
    char path[4096];
    if (seq >= c->opt->keep_files) {
        rotated_path(path, sizeof path, c, seq - c->opt->keep_files);
        if (unlink(path) < 0)
            die("unlink");
    }
    rotated_path(path, sizeof path, c, seq);
    return open_out(path);
}

static void *serve(void *arg)
{
    struct conn *c = arg;
    const struct options *opt = c->opt;
    const int rotating = opt->rotate_bytes > 0;
    char path[4096];
    int out = -1;
    long long seq = 0;      /* rotation: the file being written, or the last one closed */
    long long in_file = 0;  /* rotation: bytes in file `seq`; rotate_bytes once it is closed */
    if (rotating) {
        out = open_rotated(c, 0);
    } else if (!opt->discard) {
        snprintf(path, sizeof path, "%s/conn-%d.bin", opt->dir, c->id);
        out = open_out(path);
    }
    char *buf = malloc(BUFFER_BYTES);
    if (buf == NULL)
        die("malloc");
    long long total = 0;
    for (;;) {
        ssize_t n = read(c->fd, buf, BUFFER_BYTES);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("read");
        }
        total += n;
        if (opt->discard)
            continue;
        if (!rotating) {
            if (write_all(out, buf, n) < 0)
                die("write");
            continue;
        }
        const char *p = buf;
        while (n > 0) {
            if (out < 0) {
                out = open_rotated(c, ++seq);
                in_file = 0;
            }
            long long room = opt->rotate_bytes - in_file;
            ssize_t chunk = n < room ? n : (ssize_t) room;
            if (write_all(out, p, chunk) < 0)
                die("write");
            p += chunk;
            n -= chunk;
            in_file += chunk;
            if (in_file == opt->rotate_bytes) {
                if (close(out) < 0)
                    die("close file");
                out = -1;
            }
        }
    }
    if (out >= 0 && close(out) < 0)
        die("close file");
    close(c->fd);
    fprintf(stdout, "tcp-sink closed conn=%d bytes=%lld\n", c->id, total);
    fflush(stdout);
    free(buf);
    free(c);
    return NULL;
}

static void usage(const char *prog)
{
    fprintf(stderr, "usage: %s PORT OUT_DIR [discard | rotate=BYTES keep=N]\n", prog);
    exit(2);
}

/* A decimal number in [min, max] (digits only, no sign), or exit 2 naming the argument and value. */
static long long parse_bounded(const char *name, const char *value, long long min, long long max,
                               const char *unit)
{
    int ok = *value != '\0' && strlen(value) <= 19;
    for (const char *s = value; ok && *s != '\0'; s++)
        ok = *s >= '0' && *s <= '9';
    long long v = 0;
    if (ok) {
        errno = 0;
        v = strtoll(value, NULL, 10);
        ok = errno == 0 && v >= min && v <= max;
    }
    if (!ok) {
        fprintf(stderr, "tcp-sink: %s=%s: must be a whole number of %s from %lld to %lld\n", name, value,
                unit, min, max);
        exit(2);
    }
    return v;
}

static void parse_options(int argc, char **argv, struct options *opt)
{
    if (argc < 3)
        usage(argv[0]);
    memset(opt, 0, sizeof *opt);
    opt->dir = argv[2];
    const char *rotate = NULL;
    const char *keep = NULL;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "discard") == 0 && !opt->discard)
            opt->discard = 1;
        else if (strncmp(argv[i], "rotate=", 7) == 0 && rotate == NULL)
            rotate = argv[i] + 7;
        else if (strncmp(argv[i], "keep=", 5) == 0 && keep == NULL)
            keep = argv[i] + 5;
        else
            usage(argv[0]);
    }
    if ((rotate == NULL) != (keep == NULL) || (rotate != NULL && opt->discard))
        usage(argv[0]);
    if (rotate != NULL) {
        opt->rotate_bytes = parse_bounded("rotate", rotate, ROTATE_BYTES_MIN, ROTATE_BYTES_MAX, "bytes");
        opt->keep_files = parse_bounded("keep", keep, 1, KEEP_FILES_MAX, "files");
    }
}

int main(int argc, char **argv)
{
    static struct options opt;
    parse_options(argc, argv, &opt);
    int port = atoi(argv[1]);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ls < 0)
        die("socket");
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short) port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *) &a, sizeof a) < 0)
        die("bind");
    if (listen(ls, 128) < 0)
        die("listen");
    socklen_t len = sizeof a;
    if (getsockname(ls, (struct sockaddr *) &a, &len) < 0)
        die("getsockname");
    fprintf(stdout, "tcp-sink started port=%d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (int id = 0;; id++) {
        int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            die("accept");
        }
        struct conn *c = malloc(sizeof *c);
        if (c == NULL)
            die("malloc");
        c->fd = fd;
        c->id = id;
        c->opt = &opt;
        pthread_t t;
        if (pthread_create(&t, NULL, serve, c) != 0)
            die("pthread_create");
        pthread_detach(t);
    }
}
