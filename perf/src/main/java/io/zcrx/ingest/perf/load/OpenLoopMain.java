package io.zcrx.ingest.perf.load;

/**
 * Command line for the {@link OpenLoop} latency load: {@code --bootstrap host:port --rate N [--topic t]
 * [--record-size n] [--batch-size b] [--acks 1|all] [--idempotent true|false] [--connections n]
 * [--warmup-seconds s] [--seconds s] [--max-inflight n] [--fresh-topic true|false]} (see {@link OpenLoopConfig}).
 * Prints progress and a final {@code openloop: result ...} line on stdout; exits 1 with {@code openloop: error ...}
 * when any response is wrong or the target stalls, 2 on bad arguments.
 */
public final class OpenLoopMain {
    private OpenLoopMain() {
    }

    public static void main(String[] args) {
        final OpenLoopConfig config;
        try {
            config = OpenLoopConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.out.println("openloop: error " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            final OpenLoop.Result r = new OpenLoop(config, line -> {
                System.out.println(line);
                System.out.flush();
            }).run();
            System.out.println(r.toLine());
            System.out.println("openloop: " + r.describe());
            System.out.flush();
            System.exit(0);
        } catch (Exception e) {
            System.out.println("openloop: error " + e);
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }
}
