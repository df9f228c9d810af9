package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SinkTargetTest {

    @Test
    void readsThePortFromTheStartedLine() {
        // Goal: the sink's port is read from its first line, whatever follows. Method: sample logs.
        assertEquals(41553, SinkTarget.parsePort("tcp-sink started port=41553\n"));
        assertEquals(7, SinkTarget.parsePort("noise\ntcp-sink started port=7\ntcp-sink closed conn=0 bytes=1\n"));
    }
}
