package io.zcrx.ingest.perf.e2e;

import java.nio.file.Path;

/** A target that is never started: for tests of planning and reporting, which only read its names. */
record FakeTarget(String id, String label, boolean isBroker) implements Target {
    @Override
    public String describe() {
        return "fake " + id;
    }

    @Override
    public Started start(Path runDir, Path dataDir, int partitions) {
        throw new UnsupportedOperationException("a fake target does not start: id=" + id);
    }
}
