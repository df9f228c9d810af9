/*
 * pagefill-probe: what writing into the page cache costs per GB on this machine, for a log that grows and for a
 * log bounded by retention. Writes GB gigabytes in CHUNK-byte pwrite()s to files under DIR (tmpfs, to leave the
 * disk out) and prints the process's CPU seconds (user + system, getrusage) for each GB.
 *
 *   pagefill-probe DIR GB CHUNK                  one file that grows to GB gigabytes (a log without retention)
 *   pagefill-probe DIR GB CHUNK SEGMENT KEEP     files of SEGMENT bytes, the oldest deleted once KEEP exist
 *                                                (a log under retention: its footprint is about SEGMENT x KEEP)
 *
 * Why it exists: on the 2-vCPU VM of docs/perf/2026-12-06-steady-state.md, a growing file cost 0.41-0.48 CPU-s
 * per GB for the first ~7 GB and 2.5-2.7 after (the guest hands freed memory back to the host, virtio_balloon
 * free page reporting, and memory the guest has not used recently must be faulted in by the host again), while
 * a bounded footprint stayed at 0.55-0.78 however much was written. Broker benchmarks whose logs only grow
 * measure that host cost once they pass the knee.
 *
 * Build: cc -O2 -o pagefill-probe pagefill-probe.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static double cpu_seconds(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static void file_name(char *out, size_t n, const char *dir, long seq)
{
    snprintf(out, n, "%s/pagefill-%ld.bin", dir, seq);
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 6) {
        fprintf(stderr, "usage: %s DIR GB CHUNK [SEGMENT KEEP]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    const int gbs = atoi(argv[2]);
    const long chunk = atol(argv[3]);
    const long segment = argc == 6 ? atol(argv[4]) : -1;
    const long keep = argc == 6 ? atol(argv[5]) : 0;
    if (gbs < 1 || chunk < 1 || chunk > (1L << 24) || (argc == 6 && (segment < chunk || keep < 1))) {
        fprintf(stderr, "bad arguments: GB=%s CHUNK=%s (1..16777216) SEGMENT=%s (>= CHUNK) KEEP=%s (>= 1)\n",
                argv[2], argv[3], argc == 6 ? argv[4] : "-", argc == 6 ? argv[5] : "-");
        return 2;
    }
    char *buf = aligned_alloc(4096, (size_t) ((chunk + 4095) / 4096 * 4096));
    if (buf == NULL) {
        perror("aligned_alloc");
        return 1;
    }
    memset(buf, 0x5a, (size_t) chunk);
    char path[4096];
    long seq = 0;
    int fd = -1;
    long off = 0;
    for (int g = 0; g < gbs; g++) {
        const double c0 = cpu_seconds();
        for (long written = 0; written < 1000000000L; written += chunk) {
            if (fd < 0 || (segment > 0 && off + chunk > segment)) {
                if (fd >= 0)
                    close(fd);
                file_name(path, sizeof path, dir, seq);
                fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
                if (fd < 0) {
                    perror(path);
                    return 1;
                }
                if (segment > 0 && seq >= keep) {
                    file_name(path, sizeof path, dir, seq - keep);
                    unlink(path);
                }
                seq++;
                off = 0;
            }
            if (pwrite(fd, buf, (size_t) chunk, off) != chunk) {
                perror("pwrite");
                return 1;
            }
            off += chunk;
        }
        printf("GB %d: %.3f CPU-s\n", g + 1, cpu_seconds() - c0);
        fflush(stdout);
    }
    close(fd);
    for (long s = segment > 0 && seq > keep ? seq - keep : 0; s < seq; s++) {
        file_name(path, sizeof path, dir, s);
        unlink(path);
    }
    return 0;
}
