package io.zcrx.ingest.perf.load;

/**
 * Command line for the {@link Firehose}: {@code --bootstrap host:port [--topic t] [--record-size n]
 * [--acks 1|all] [--idempotent true|false] [--connections n] [--inflight n] [--warmup-seconds s]
 * [--seconds s] [--max-bytes n] [--raw true] ...} (see {@link FirehoseConfig}). Prints progress and
 * a final {@code firehose: result ...} line on stdout; exits 1 with {@code firehose: error ...} when
 * any response is wrong or the broker stalls.
 */
public final class FirehoseMain {
    private FirehoseMain() {
    }

    public static void main(String[] args) {
        final FirehoseConfig config;
        try {
            config = FirehoseConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.out.println("firehose: error " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            final Firehose.Result r = new Firehose(config, line -> {
                System.out.println(line);
                System.out.flush();
            }).run();
            System.out.println(r.toLine());
            System.out.flush();
        } catch (Exception e) {
            System.out.println("firehose: error " + e);
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }
}
