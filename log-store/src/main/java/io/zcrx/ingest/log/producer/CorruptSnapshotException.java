package io.zcrx.ingest.log.producer;

import java.io.IOException;

/** A {@code .snapshot} file that cannot be trusted (bad version, length or CRC); the loader drops it. */
public final class CorruptSnapshotException extends IOException {
    public CorruptSnapshotException(String message) {
        super(message);
    }
}
