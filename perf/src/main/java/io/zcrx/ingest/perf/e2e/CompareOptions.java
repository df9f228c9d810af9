package io.zcrx.ingest.perf.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options of one comparison run: a profile sets defaults, then {@code --name value} (or
 * {@code --name=value}) overrides them. {@link #usage()} lists them all.
 *
 * <p>Profiles: {@code full} (the published run: 3 repetitions, tmpfs and disk, every load),
 * {@code quick} (one repetition, shorter windows: a first look in about ten minutes) and
 * {@code smoke} (CI: tiny, tmpfs only, one record size and acks=all, well under a minute) and {@code steady}
 * (tmpfs, perf-test and firehose, 15 s warm-up and window, every target's log bounded by retention to 1 GiB: the
 * broker's cost once its JIT has settled and its page cache is recycled, see {@link LogFootprint}).
 */
public final class CompareOptions {
    public String profile = "full";
    public Path repoRoot = Path.of("").toAbsolutePath();
    public int reps = 3;
    public List<String> fs = List.of("tmpfs", "disk");
    public Path tmpfsDir = Path.of("/dev/shm/zcrx-perf");
    public Path diskDir;
    public List<String> targets = List.of("kafka", "zcrx", "sink");
    public List<String> transports = List.of("nio", "uring", "zcrx");
    public List<String> loads = List.of("perf", "perf-rate", "firehose", "openloop");
    public List<Integer> recordSizes = List.of(1024, 100);
    public List<String> acks = List.of("1", "all");
    /** Fixed rate (records/s) per record size, for the latency runs. */
    public Map<Integer, Integer> rates = new LinkedHashMap<>(Map.of(1024, 20_000, 100, 100_000));
    /** Rates (records/s) of the open-loop latency load, each one load per record size (issue 16: 10k and 100k). */
    public List<Integer> openLoopRates = List.of(10_000, 100_000);
    /** Record sizes the open-loop load runs at (of --record-sizes; acks=all idempotent only, as the issue asks). */
    public List<Integer> openLoopSizes = List.of(1024);
    /** Open-loop connections: one producer's one connection, as a Java producer to one broker has. */
    public int openLoopConnections = 1;
    /** Open-loop requests unanswered per connection before records wait; 0 = none (pure open loop). */
    public int openLoopMaxInflight;
    /** The open-loop load's own window and warm-up: long enough for a p99.9 of 600,000 records at 10,000/s. */
    public double openLoopSeconds = 60;
    public double openLoopWarmupSeconds = 10;
    /**
     * Extra JDKs (java launcher paths) our broker runs on, each its own target beside the one on the harness's JDK
     * (id suffix -jdkNN); empty = the harness's JDK only.
     */
    public List<String> jdks = List.of();
    /**
     * Collectors our broker runs with, each its own target: g1 (the start script's G1, 20 ms pause goal) and zgc
     * (generational ZGC: -XX:+UseZGC, plus -XX:+ZGenerational where the JDK needs it, i.e. 21 and 22).
     */
    public List<String> gcs = List.of("g1");
    public int partitions = 4;
    public double seconds = 10;
    public double warmupSeconds = 5;
    /**
     * Firehose connections. Apache Kafka works on one request per connection at a time, so it needs
     * several connections to use its handler threads: on this 2-core machine it took 170 MB/s with
     * 4 connections and 190-270 MB/s with 16 (1 KB, acks=all); our broker did not care.
     */
    public int connections = 16;
    public int inflight = 8;
    public int batchBytes = 16_384;
    public long firehoseMaxBytes = 8L << 30;
    /**
     * The most bytes one run may write (warm-up + window); 0 = derived from the page-fill probe
     * ({@link PageFillProbe}: 60 % of the knee, unlimited without one).
     */
    public long runMaxBytes;
    /** Bounded log footprint per target, bytes ({@link LogFootprint}); 0 = unbounded. */
    public long logFootprintBytes;
    /** Probe the page-cache fill rate on tmpfs before the runs (needs a tmpfs --tmpfs-dir). */
    public boolean pageProbe = true;
    /** Unthrottled perf-test: records of the measured process; 0 = sized from the warm-up's rate. */
    public long perfRecords;
    /** Run a warm-up perf-test process before the measured one. */
    public boolean perfWarmup = true;
    /**
     * Measure a perf-test run from the tool's first progress line (5 s in) to its end, not the whole process: a new
     * client's first requests take paths the broker's compiled code has not seen (a new producer id, a new
     * connection's first frame, the control requests), and both brokers' JIT recompiles what that deoptimized.
     */
    public boolean perfSteady;
    public String kafkaJvmOpts = Jvm.BROKER_OPTS;
    public String zcrxJvmOpts = Jvm.ZCRX_BROKER_OPTS;
    /** Extra key=value overrides for our broker (e.g. zcrx.interface for the zcrx transport). */
    public List<String> zcrxOverrides = List.of();
    /**
     * Start the brokers with remote JMX on a loopback port and read their own Produce latency
     * ({@link BrokerJmx}) at the end of every window.
     */
    public boolean brokerJmx = true;
    /** Run every transport of our broker twice, with metrics on and with {@code metrics.enable=false}. */
    public boolean metricsAb;
    public Path outDir;
    public String name;
    public Path workDir;
    public boolean dryRun;
    /** The arguments as given, for the report's "exact command". */
    public final List<String> args = new ArrayList<>();

    public static CompareOptions parse(String[] argv) {
        final CompareOptions o = new CompareOptions();
        final Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            final String a = argv[i];
            o.args.add(a);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --name value: at=" + a + "\n" + usage());
            }
            final int eq = a.indexOf('=');
            if (eq > 0) {
                m.put(a.substring(2, eq), a.substring(eq + 1));
            } else if (a.equals("--dry-run") || a.equals("--help") || a.equals("--metrics-ab")) {
                m.put(a.substring(2), "true");
            } else {
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException("missing value: option=" + a);
                }
                o.args.add(argv[i + 1]);
                m.put(a.substring(2), argv[++i]);
            }
        }
        if (m.containsKey("help")) {
            throw new IllegalArgumentException(usage());
        }
        o.profile(m.getOrDefault("profile", "full"));
        for (Map.Entry<String, String> e : m.entrySet()) {
            o.set(e.getKey(), e.getValue());
        }
        if (o.diskDir == null) {
            o.diskDir = o.repoRoot.resolve("perf/target/perf-data");
        }
        if (o.outDir == null) {
            o.outDir = o.repoRoot.resolve("docs/perf");
        }
        if (o.workDir == null) {
            o.workDir = o.repoRoot.resolve("perf/target/perf-work");
        }
        o.validate();
        return o;
    }

    private void profile(String p) {
        profile = p;
        switch (p) {
            case "full" -> {
            }
            case "quick" -> {
                reps = 1;
                seconds = 5;
                warmupSeconds = 2;
                openLoopSeconds = 10;
                openLoopWarmupSeconds = 3;
            }
            case "smoke" -> {
                reps = 1;
                fs = List.of("tmpfs");
                loads = List.of("perf", "firehose");
                recordSizes = List.of(1024);
                openLoopRates = List.of(1_000);
                openLoopSeconds = 1;
                openLoopWarmupSeconds = 0.5;
                acks = List.of("all");
                seconds = 1;
                warmupSeconds = 0.5;
                firehoseMaxBytes = 1L << 30;
                pageProbe = false;
                // Two fewer JVM starts per broker: the smoke test checks that things work, not speed.
                perfWarmup = false;
                perfRecords = 2_000;
            }
            case "steady" -> {
                reps = 2;
                fs = List.of("tmpfs");
                loads = List.of("perf", "firehose");
                seconds = 15;
                warmupSeconds = 15;
                logFootprintBytes = 1L << 30;
                perfSteady = true;
                // The probe's knee only caps runs whose log grows (LogFootprint); skip its minutes of writing.
                pageProbe = false;
                // The footprint bounds memory, so a firehose run is bounded by its time only.
                firehoseMaxBytes = 1L << 40;
            }
            default -> throw new IllegalArgumentException("unknown profile: profile=" + p
                + " (full, quick, smoke, steady)");
        }
    }

    private void set(String k, String v) {
        switch (k) {
            case "profile", "help", "dry-run" -> {
                if (k.equals("dry-run")) {
                    dryRun = Boolean.parseBoolean(v);
                }
            }
            case "metrics-ab" -> metricsAb = Boolean.parseBoolean(v);
            case "broker-jmx" -> brokerJmx = Boolean.parseBoolean(v);
            case "repo" -> repoRoot = Path.of(v).toAbsolutePath().normalize();
            case "reps" -> reps = Integer.parseInt(v);
            case "fs" -> fs = list(v);
            case "tmpfs-dir" -> tmpfsDir = Path.of(v);
            case "disk-dir" -> diskDir = Path.of(v);
            case "targets" -> targets = list(v);
            case "transports" -> transports = list(v);
            case "loads" -> loads = list(v);
            case "record-sizes" -> recordSizes = list(v).stream().map(Integer::parseInt).toList();
            case "acks" -> acks = list(v);
            case "rates" -> {
                rates = new LinkedHashMap<>();
                for (String kv : list(v)) {
                    final String[] p = kv.split(":");
                    if (p.length != 2) {
                        throw new IllegalArgumentException("--rates takes size:rate pairs, e.g. "
                            + "1024:20000,100:100000: at=" + kv);
                    }
                    rates.put(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
                }
            }
            case "openloop-rates" -> openLoopRates = list(v).stream().map(Integer::parseInt).toList();
            case "openloop-sizes" -> openLoopSizes = list(v).stream().map(Integer::parseInt).toList();
            case "openloop-connections" -> openLoopConnections = Integer.parseInt(v);
            case "openloop-max-inflight" -> openLoopMaxInflight = Integer.parseInt(v);
            case "openloop-seconds" -> openLoopSeconds = Double.parseDouble(v);
            case "openloop-warmup-seconds" -> openLoopWarmupSeconds = Double.parseDouble(v);
            case "jdk" -> jdks = list(v);
            case "gc" -> gcs = list(v);
            case "partitions" -> partitions = Integer.parseInt(v);
            case "seconds" -> seconds = Double.parseDouble(v);
            case "warmup-seconds" -> warmupSeconds = Double.parseDouble(v);
            case "connections" -> connections = Integer.parseInt(v);
            case "inflight" -> inflight = Integer.parseInt(v);
            case "batch-size" -> batchBytes = Integer.parseInt(v);
            case "firehose-max-bytes" -> firehoseMaxBytes = Long.parseLong(v);
            case "run-max-bytes" -> runMaxBytes = v.equals("auto") ? 0 : Long.parseLong(v);
            case "log-footprint" -> logFootprintBytes = Long.parseLong(v);
            case "page-probe" -> pageProbe = Boolean.parseBoolean(v);
            case "perf-records" -> perfRecords = Long.parseLong(v);
            case "perf-warmup" -> perfWarmup = Boolean.parseBoolean(v);
            case "perf-steady" -> perfSteady = Boolean.parseBoolean(v);
            case "kafka-jvm-opts" -> kafkaJvmOpts = v;
            case "zcrx-jvm-opts" -> zcrxJvmOpts = v;
            case "zcrx-override" -> {
                for (String kv : list(v)) {
                    if (kv.indexOf('=') <= 0) {
                        throw new IllegalArgumentException("--zcrx-override takes key=value: at=" + kv);
                    }
                }
                zcrxOverrides = list(v);
            }
            case "out" -> outDir = Path.of(v);
            case "name" -> name = v;
            case "work-dir" -> workDir = Path.of(v);
            default -> throw new IllegalArgumentException("unknown option: --" + k + "\n" + usage());
        }
    }

    private static List<String> list(String v) {
        final List<String> l = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                l.add(s.trim());
            }
        }
        return l;
    }

    private void validate() {
        if (perfRecords < 0 || (!perfWarmup && perfRecords == 0 && loads.contains("perf"))) {
            throw new IllegalArgumentException("without a perf-test warm-up, --perf-records must be given: perfRecords="
                + perfRecords);
        }
        if (runMaxBytes < 0 || firehoseMaxBytes <= 0) {
            throw new IllegalArgumentException("byte limits must be positive: runMaxBytes=" + runMaxBytes
                + ", firehoseMaxBytes=" + firehoseMaxBytes);
        }
        new LogFootprint(logFootprintBytes);
        if (reps < 1 || partitions < 1 || seconds <= 0 || warmupSeconds < 0 || connections < 1 || inflight < 1) {
            throw new IllegalArgumentException("invalid options: reps=" + reps + ", partitions=" + partitions
                + ", seconds=" + seconds + ", warmupSeconds=" + warmupSeconds + ", connections=" + connections
                + ", inflight=" + inflight);
        }
        for (String f : fs) {
            if (!f.equals("tmpfs") && !f.equals("disk")) {
                throw new IllegalArgumentException("--fs takes tmpfs,disk: at=" + f);
            }
        }
        for (String t : targets) {
            if (!List.of("kafka", "zcrx", "sink", "discard").contains(t)) {
                throw new IllegalArgumentException("--targets takes kafka,zcrx,sink,discard: at=" + t);
            }
        }
        for (String l : loads) {
            if (!List.of("perf", "perf-rate", "firehose", "openloop").contains(l)) {
                throw new IllegalArgumentException("--loads takes perf,perf-rate,firehose,openloop: at=" + l);
            }
        }
        if (openLoopRates.isEmpty() || openLoopRates.stream().anyMatch(r -> r < 1) || openLoopConnections < 1
                || openLoopMaxInflight < 0 || openLoopSeconds <= 0 || openLoopWarmupSeconds < 0) {
            throw new IllegalArgumentException("invalid open-loop options: rates=" + openLoopRates + ", connections="
                + openLoopConnections + ", maxInflight=" + openLoopMaxInflight + ", seconds=" + openLoopSeconds
                + ", warmupSeconds=" + openLoopWarmupSeconds);
        }
        for (String g : gcs) {
            if (!g.equals("g1") && !g.equals("zgc")) {
                throw new IllegalArgumentException("--gc takes g1,zgc: at=" + g);
            }
        }
        if (gcs.isEmpty()) {
            throw new IllegalArgumentException("--gc needs at least one collector: g1,zgc");
        }
        for (String j : jdks) {
            if (!Files.isExecutable(Path.of(j))) {
                throw new IllegalArgumentException("--jdk takes java launcher paths (e.g. "
                    + "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java): not executable: " + j);
            }
        }
        for (String a : acks) {
            if (!a.equals("1") && !a.equals("all")) {
                throw new IllegalArgumentException("--acks takes 1,all: at=" + a);
            }
        }
        if (loads.contains("perf-rate")) {
            for (int size : recordSizes) {
                if (!rates.containsKey(size)) {
                    throw new IllegalArgumentException("no fixed rate for record size: size=" + size
                        + " (--rates size:rate,...)");
                }
            }
        }
    }

    /** The bounded log footprint of this run ({@link LogFootprint#NONE} when unbounded). */
    public LogFootprint logFootprint() {
        return new LogFootprint(logFootprintBytes);
    }

    /** The loads of the plan, in a stable order: size, then acks, then kind. */
    public List<LoadSpec> loadSpecs() {
        final List<LoadSpec> l = new ArrayList<>();
        for (int size : recordSizes) {
            for (String a : acks) {
                final boolean all = a.equals("all");
                if (loads.contains("perf")) {
                    l.add(new LoadSpec(LoadSpec.Kind.PERF_TEST, size, all, 0));
                }
                if (loads.contains("perf-rate")) {
                    l.add(new LoadSpec(LoadSpec.Kind.PERF_TEST_RATE, size, all, rates.get(size)));
                }
                if (loads.contains("firehose")) {
                    l.add(new LoadSpec(LoadSpec.Kind.FIREHOSE, size, all, 0));
                }
                if (loads.contains("openloop") && all && openLoopSizes.contains(size)) {
                    for (int rate : openLoopRates) {
                        l.add(new LoadSpec(LoadSpec.Kind.OPEN_LOOP, size, true, rate));
                    }
                }
            }
        }
        return l;
    }

    public static String usage() {
        return String.join("\n",
            "usage: bin/perf-compare.sh [--profile full|quick|smoke|steady] [--name value ...]",
            "  --reps N                 repetitions per configuration (full: 3)",
            "  --fs tmpfs,disk          log-dir file systems (tmpfs: CPU path only; disk: real writeback)",
            "  --tmpfs-dir DIR          (default /dev/shm/zcrx-perf)   --disk-dir DIR  (default perf/target/perf-data)",
            "  --targets kafka,zcrx,sink[,discard]",
            "                           (discard: a receive-only sink, to split the limit into TCP vs write)",
            "  --transports nio,uring,zcrx   each that starts is measured",
            "  --zcrx-override k=v[,k=v]     extra settings for our broker, e.g. zcrx.interface=eth0",
            "  --metrics-ab             each transport twice: metrics on, and off (metrics.enable=false;",
            "                           target id suffix -nometrics): what the metrics cost in CPU per GB",
            "  --broker-jmx true|false  read the brokers' own Produce latency over JMX (default true)",
            "  --loads perf,perf-rate,firehose,openloop   --record-sizes 1024,100   --acks 1,all",
            "  --rates 1024:20000,100:100000     fixed rates (records/s) for the perf-test latency runs",
            "  --openloop-rates 10000,100000     open-loop latency load (acks=all idempotent): rates in records/s",
            "  --openloop-sizes 1024  --openloop-connections N (1)  --openloop-max-inflight N (0: no limit)",
            "  --openloop-seconds S (60)  --openloop-warmup-seconds S (10)",
            "  --jdk PATH[,PATH]        our broker also on these java launchers, side by side (target id -jdkNN)",
            "  --gc g1[,zgc]            our broker's collector(s), side by side (zgc: generational ZGC; id -zgc)",
            "  --partitions N (4)  --seconds S (10)  --warmup-seconds S (5)",
            "  --connections N (16)  --inflight N (8)  --batch-size B (16384)  --firehose-max-bytes B",
            "  --perf-records N (0: sized from the warm-up to last --seconds)  --perf-warmup true|false",
            "  --perf-steady true|false  measure perf-test from its first progress line (5 s in) to its end (steady)",
            "  --run-max-bytes B|auto   most bytes one run writes, warm-up included (auto: from the page-fill probe)",
            "  --log-footprint B        bound every target's log to about B bytes by retention (0: unbounded; steady:",
            "                           1 GiB); lifts the run byte budget, so windows can be long",
            "  --page-probe true|false  time filling the page cache on tmpfs first (full/quick: true)",
            "  --kafka-jvm-opts '...'  --zcrx-jvm-opts '...'  (default: each broker's own start-script options)",
            "  --out DIR (docs/perf)  --name NAME (default DATE-MACHINE)  --work-dir DIR  --repo DIR  --dry-run");
    }
}
