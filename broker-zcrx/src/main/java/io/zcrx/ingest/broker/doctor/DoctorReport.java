package io.zcrx.ingest.broker.doctor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What {@code zcrx-doctor} found: one line per check, the {@code ethtool} commands still missing (in the
 * order to run them) and a verdict. Immutable once built.
 */
public final class DoctorReport {
    /** Outcome of one check. */
    public enum Status {
        OK("[ ok ]"),
        /** Fixable by the operator: a command or setting is listed for it. */
        MISSING("[miss]"),
        /** Cannot be fixed by configuration on this machine (kernel, driver). */
        FAIL("[FAIL]"),
        INFO("[info]");

        private final String tag;

        Status(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /** One check line. */
    public record Check(Status status, String what, String detail) {
    }

    private final String header;
    private final List<Check> checks;
    private final List<String> commands;
    private final String interfaceName;
    private final int queue;
    private final int port;

    DoctorReport(String header, List<Check> checks, List<String> commands, String interfaceName, int queue, int port) {
        this.header = header;
        this.checks = Collections.unmodifiableList(new ArrayList<>(checks));
        this.commands = Collections.unmodifiableList(new ArrayList<>(commands));
        this.interfaceName = interfaceName;
        this.queue = queue;
        this.port = port;
    }

    public List<Check> checks() {
        return checks;
    }

    /** The ethtool commands still to run, in order (empty when the NIC side is ready). */
    public List<String> commands() {
        return commands;
    }

    /** zcrx can run for this interface/queue/port: nothing missing, nothing failed. */
    public boolean ready() {
        return checks.stream().noneMatch(c -> c.status() == Status.MISSING || c.status() == Status.FAIL);
    }

    /** True when some check failed that no ethtool command can fix (kernel, driver, capability). */
    public boolean blocked() {
        return checks.stream().anyMatch(c -> c.status() == Status.FAIL);
    }

    public Check check(String what) {
        for (Check c : checks) {
            if (c.what().equals(what)) {
                return c;
            }
        }
        return null;
    }

    /** The text the command prints. */
    public String render() {
        final StringBuilder b = new StringBuilder(header).append('\n');
        for (Check c : checks) {
            b.append(c.status().tag()).append(' ').append(c.what()).append(": ").append(c.detail()).append('\n');
        }
        if (commands.isEmpty()) {
            b.append("ethtool: nothing missing for ").append(interfaceName).append(" queue ").append(queue)
                .append(" port ").append(port).append('\n');
        } else {
            b.append("ethtool commands still missing for ").append(interfaceName).append(" (zcrx queue ").append(queue)
                .append(", port ").append(port).append("), in this order:\n");
            for (String cmd : commands) {
                b.append("  ").append(cmd).append('\n');
            }
        }
        if (ready()) {
            b.append("verdict: zcrx ready on ").append(interfaceName).append(" queue ").append(queue)
                .append(" (set transport=zcrx or auto with zcrx.interface=").append(interfaceName)
                .append(", zcrx.rx.queues=").append(queue).append(")\n");
        } else if (blocked()) {
            b.append("verdict: zcrx cannot run here (see [FAIL]); transport=auto runs copy-mode io_uring (or NIO)\n");
        } else {
            b.append("verdict: zcrx not ready yet: run the commands above (they change the NIC; the doctor changed"
                + " nothing)\n");
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
