package io.zcrx.ingest.perf.e2e;

/**
 * Entry point of {@code bin/perf-compare.sh}: parses {@link CompareOptions} and runs {@link Compare}.
 * Exit 0 when every planned run succeeded, 1 when some failed (the report lists them), 2 on bad
 * options.
 */
public final class CompareMain {
    private CompareMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        final CompareOptions options;
        try {
            options = CompareOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        final Compare.Output out;
        try {
            out = new Compare(options, System.out).run();
        } catch (IllegalStateException e) {
            System.err.println("perf-compare: " + e.getMessage());
            System.exit(1);
            return;
        }
        final long failed = out.results().stream().filter(r -> !r.ok()).count();
        if (failed > 0) {
            System.out.println("perf-compare: " + failed + " of " + out.results().size() + " runs failed; see "
                + out.markdown());
            System.exit(1);
        }
    }
}
