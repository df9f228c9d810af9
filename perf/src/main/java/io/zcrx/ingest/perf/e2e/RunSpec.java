package io.zcrx.ingest.perf.e2e;

/**
 * One run of the plan: a load against a target with its log directory on a file system, the
 * {@code rep}-th repetition (1-based) of that combination.
 */
public record RunSpec(int index, LogFs fs, LoadSpec load, Target target, int rep) {

    /** Key of the row this run belongs to in the tables: file system, load, target. */
    public String rowKey() {
        return fs.name() + "|" + load.id() + "|" + target.id();
    }
}
