package io.zcrx.ingest.broker.uring.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks hard-coded layout numbers with the C compiler: one {@code _Static_assert(expr == value)} per
 * line, compiled with {@code -fsyntax-only} against the installed headers, compiler errors mapped back
 * to their line. A failed assertion is a mismatch; a struct/member/constant the installed header lacks
 * (older uapi) is "unavailable" unless the check is marked core.
 */
public final class CLayoutProbe {
    /** One number to check: {@code cExpr} must evaluate to {@code value}. */
    public record Check(String what, String cExpr, long value, boolean core) {
    }

    /** Outcome: verified count, mismatches (fail the test), unavailable (skipped, logged). */
    public record Result(int verified, List<String> mismatches, List<String> unavailable, String compilerOutput) {
    }

    private CLayoutProbe() {
    }

    /** The C compiler on PATH (cc, then gcc), or null. */
    public static String findCompiler() {
        for (String name : new String[] {"cc", "gcc"}) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        return null;
    }

    public static Result run(String cc, List<String> includes, List<Check> checks) throws IOException,
            InterruptedException {
        final Path dir = Files.createTempDirectory("layout-probe");
        final Path source = dir.resolve("layout_probe.c");
        final StringBuilder c = new StringBuilder();
        for (String inc : includes) {
            c.append("#include <").append(inc).append(">\n");
        }
        final int firstCheckLine = includes.size() + 1;
        for (Check check : checks) {
            c.append("_Static_assert((").append(check.cExpr()).append(") == ").append(check.value())
                .append("LL, \"").append(check.what()).append("\");\n");
        }
        Files.writeString(source, c.toString(), StandardCharsets.US_ASCII);
        final Process p = new ProcessBuilder(cc, "-std=gnu11", "-fsyntax-only", "-fmax-errors=0", source.toString())
            .redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("compiler did not finish: " + cc);
        }
        final TreeMap<Integer, String> errors = new TreeMap<>();
        final Matcher m = Pattern.compile("layout_probe\\.c:(\\d+):\\d+: error: (.*)").matcher(output);
        while (m.find()) {
            errors.merge(Integer.parseInt(m.group(1)), m.group(2), (a, b) -> a + "; " + b);
        }
        final List<String> mismatches = new ArrayList<>();
        final List<String> unavailable = new ArrayList<>();
        int verified = 0;
        for (Integer line : errors.keySet()) {
            if (line < firstCheckLine || line >= firstCheckLine + checks.size()) {
                mismatches.add("compiler error outside the checks (line " + line + "): " + errors.get(line));
            }
        }
        for (int i = 0; i < checks.size(); i++) {
            final Check check = checks.get(i);
            final String e = errors.get(firstCheckLine + i);
            if (e == null) {
                verified++;
            } else if (e.contains("static assertion failed")) {
                mismatches.add(check.what() + " (java=" + check.value() + ")");
            } else if (check.core()) {
                mismatches.add(check.what() + " not compilable although the header must have it: " + e);
            } else {
                unavailable.add(check.what());
            }
        }
        return new Result(verified, mismatches, unavailable, output);
    }
}
