package io.zcrx.ingest.broker.uring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's effective capabilities from {@code /proc/self/status} ({@code CapEff}, a hex bit mask;
 * bit numbers from linux/capability.h). Only says what this process holds; whether it holds it in the
 * <em>initial</em> user namespace (zcrx needs that) shows only in the registration errno.
 */
public final class Capabilities {
    /** linux/capability.h CAP_NET_ADMIN. */
    public static final int CAP_NET_ADMIN = 12;
    /** linux/capability.h CAP_IPC_LOCK (pinning the area without RLIMIT_MEMLOCK accounting). */
    public static final int CAP_IPC_LOCK = 14;

    private Capabilities() {
    }

    /** The effective set, or -1 when /proc is unreadable. */
    public static long effective() {
        return parseEffective(readStatus());
    }

    static String readStatus() {
        try {
            return Files.readString(Path.of("/proc/self/status"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }

    /** Parses the {@code CapEff:} line of a /proc/PID/status text; -1 when absent. */
    public static long parseEffective(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
        }
        return -1;
    }

    public static boolean has(int capability) {
        final long eff = effective();
        return eff >= 0 && (eff & (1L << capability)) != 0;
    }
}
