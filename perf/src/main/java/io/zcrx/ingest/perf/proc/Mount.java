package io.zcrx.ingest.perf.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The mount a path lives on, from {@code /proc/self/mountinfo}: file-system type, source device and
 * the block device numbers whose {@code /sys/dev/block/MAJ:MIN/stat} counts the bytes written to it.
 * The harness labels each log directory with this ("tmpfs", "ext4 on /dev/vda") and reads the disk's
 * write counter around each measured window.
 *
 * <pre>
 *   mountinfo: id parent MAJ:MIN root mount-point options [optional...] - fstype source super-options
 *   block stat: reads merges sectors ticks writes merges SECTORS-WRITTEN(7th) ...   (512-byte sectors)
 * </pre>
 *
 * @param mountPoint    where the file system is mounted
 * @param fsType        e.g. "tmpfs", "ext4"
 * @param source        e.g. "/dev/vda", "tmpfs"
 * @param deviceNumbers "MAJ:MIN" as in mountinfo
 */
public record Mount(String mountPoint, String fsType, String source, String deviceNumbers) {
    /** Index of "sectors written" in a block device's stat file (kernel Documentation/block/stat.rst). */
    static final int SECTORS_WRITTEN_INDEX = 6;
    static final int SECTOR_BYTES = 512;

    /** The mount holding {@code path} (the longest mount point that is a prefix of its real path). */
    public static Mount of(Path path) throws IOException {
        Path p = path.toAbsolutePath().normalize();
        while (!Files.exists(p) && p.getParent() != null) {
            p = p.getParent();
        }
        final Path real = p.toRealPath();
        return find(ProcFiles.read(Path.of("/proc/self/mountinfo")).lines().toList(), real.toString());
    }

    static Mount find(List<String> mountinfo, String realPath) {
        Mount best = null;
        for (String line : mountinfo) {
            final String[] f = line.split(" ");
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (f.length < 7 || dash < 0 || dash + 2 >= f.length) {
                throw new IllegalArgumentException("unexpected mountinfo line: line=" + line);
            }
            final String mountPoint = unescape(f[4]);
            final boolean covers = realPath.equals(mountPoint)
                || realPath.startsWith(mountPoint.endsWith("/") ? mountPoint : mountPoint + "/");
            // Later lines win on equal length: a mount stacked on the same point hides the earlier one.
            if (covers && (best == null || mountPoint.length() >= best.mountPoint.length())) {
                best = new Mount(mountPoint, f[dash + 1], unescape(f[dash + 2]), f[2]);
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no mount covers path: path=" + realPath);
        }
        return best;
    }

    /** Octal escapes (\040 for a space) as the kernel writes them in mountinfo. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** True for memory-backed file systems, where "disk writes" mean nothing. */
    public boolean inMemory() {
        return fsType.equals("tmpfs") || fsType.equals("ramfs");
    }

    /** "tmpfs" or "ext4 on /dev/vda": how tables name the log-dir file system. */
    public String label() {
        return inMemory() ? fsType : fsType + " on " + source;
    }

    /**
     * Bytes written to the underlying block device so far, or -1 when there is none we can read
     * (tmpfs, overlay, a device without a stat file).
     */
    public long deviceBytesWritten() {
        if (inMemory() || deviceNumbers.startsWith("0:")) {
            return -1;
        }
        final Path stat = Path.of("/sys/dev/block", deviceNumbers, "stat");
        try {
            final String[] f = ProcFiles.read(stat).trim().split("\\s+");
            return Long.parseLong(f[SECTORS_WRITTEN_INDEX]) * SECTOR_BYTES;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
