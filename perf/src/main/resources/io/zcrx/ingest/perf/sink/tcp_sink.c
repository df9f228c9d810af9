/*
 * tcp_sink: the "physical limit" of the perf harness. Accepts TCP connections on
 * 127.0.0.1, and for each one, on its own thread, read()s into a 1 MiB buffer and write()s every
 * byte to its own file in OUT_DIR: receive + one copy into the page cache, nothing else. When a
 * connection reaches EOF, its file is closed, then the socket, so the sender knows every byte it
 * sent is in the file once it sees the close.
 *
 * Usage: tcp_sink PORT OUT_DIR [discard]      (PORT 0 = any free port; discard: receive only, write
 * nothing, to show how much of the limit is the network and how much the file write)
 * Prints "tcp-sink started port=N" when listening; "tcp-sink closed conn=K bytes=B" per connection.
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

struct conn {
    int fd;
    int id;
    const char *dir;
    int discard;
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

static void *serve(void *arg)
{
    struct conn *c = arg;
    char path[4096];
    snprintf(path, sizeof path, "%s/conn-%d.bin", c->dir, c->id);
    int out = -1;
    if (!c->discard) {
        out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0)
            die("open");
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
        if (!c->discard && write_all(out, buf, n) < 0)
            die("write");
        total += n;
    }
    if (!c->discard && close(out) < 0)
        die("close file");
    close(c->fd);
    fprintf(stdout, "tcp-sink closed conn=%d bytes=%lld\n", c->id, total);
    fflush(stdout);
    free(buf);
    free(c);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "discard") == 0)) {
        fprintf(stderr, "usage: %s PORT OUT_DIR [discard]\n", argv[0]);
        return 2;
    }
    int discard = argc == 4;
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
        c->dir = argv[2];
        c->discard = discard;
        pthread_t t;
        if (pthread_create(&t, NULL, serve, c) != 0)
            die("pthread_create");
        pthread_detach(t);
    }
}
