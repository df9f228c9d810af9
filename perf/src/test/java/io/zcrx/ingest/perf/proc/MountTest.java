package io.zcrx.ingest.perf.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTest {
    private static final List<String> MOUNTINFO = List.of(
        "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
        "23 22 0:21 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684092k",
        "24 22 0:22 / /mnt/with\\040space rw - tmpfs tmpfs rw",
        "25 22 0:21 / /dev/shm rw,relatime shared:5 - tmpfs shm rw");

    @Test
    void picksTheLongestCoveringMountAndTheLastOfStackedOnes() {
        // Goal: a path resolves to the mount that really holds it. Method: a synthetic mountinfo
        // with a root, a tmpfs stacked twice, an escaped space and optional fields.
        final Mount root = Mount.find(MOUNTINFO, "/work/repo/perf/target");
        assertEquals(new Mount("/", "ext4", "/dev/vda", "254:0"), root);
        assertEquals("ext4 on /dev/vda", root.label());
        assertFalse(root.inMemory());
        final Mount shm = Mount.find(MOUNTINFO, "/dev/shm/zcrx-perf");
        assertEquals("shm", shm.source());
        assertTrue(shm.inMemory());
        assertEquals("tmpfs", shm.label());
        assertEquals(-1, shm.deviceBytesWritten());
        assertEquals("/mnt/with space", Mount.find(MOUNTINFO, "/mnt/with space/x").mountPoint());
        // "/dev/shmX" is not under "/dev/shm".
        assertEquals("/", Mount.find(MOUNTINFO, "/dev/shmX").mountPoint());
    }

    @Test
    void realMountOfTheTempDirectoryParses() throws Exception {
        // Goal: this machine's mountinfo parses. Method: look up java.io.tmpdir.
        final Mount m = Mount.of(Path.of(System.getProperty("java.io.tmpdir"), "no-such-child"));
        assertFalse(m.fsType().isEmpty());
        assertTrue(m.deviceNumbers().contains(":"));
    }
}
