package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.proc.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file system the brokers' log directories (and the sink's files) are put on for a set of runs:
 * tmpfs isolates the CPU path, the real disk adds writeback. Both brokers and the sink use the same
 * one in a given row.
 *
 * @param name  "tmpfs" or "disk" (the option value)
 * @param root  directory under which each run gets a fresh log directory
 * @param mount what holds {@code root}, for the label and the disk write counter
 */
public record LogFs(String name, Path root, Mount mount) {

    public static LogFs of(String name, Path root) throws IOException {
        Files.createDirectories(root);
        return new LogFs(name, root.toRealPath(), Mount.of(root));
    }

    /** e.g. "tmpfs" or "disk (ext4 on /dev/vda)". */
    public String label() {
        return name.equals(mount.fsType()) ? mount.label() : name + " (" + mount.label() + ")";
    }

    /** Bytes a run may write here: a share of the free space, so a fast run cannot fill it (tmpfs is RAM). */
    public long budgetBytes(double share) throws IOException {
        return (long) (Files.getFileStore(root).getUsableSpace() * share);
    }
}
