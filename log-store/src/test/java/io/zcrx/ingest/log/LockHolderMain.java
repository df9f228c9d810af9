package io.zcrx.ingest.log;

import java.nio.file.Path;
import java.util.List;

/**
 * A second "broker" for the lock test: a child JVM that opens a log directory, says LOCKED on
 * stdout, and holds the directory until its stdin closes.
 */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        try (LogManager manager = LogManager.open(List.of(Path.of(args[0])), 1, LogConfig.builder().build(),
            86_400_000L,
                System::currentTimeMillis)) {
            System.out.println("LOCKED " + manager.clusterId());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Hold the lock until the parent closes our stdin.
            }
        }
    }
}
