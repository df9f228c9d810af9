/**
 * What the harness reads from Linux and how it runs children: {@code ProcStat} reads a process's (and its threads')
 * CPU time and peak memory from /proc, {@code Mount} the file system behind a directory and its block device's
 * write counter, and {@code ChildProcess} starts targets and loads with their output copied to a log by one pump
 * thread each and kills them from a shutdown hook. Depends on nothing else of the project.
 */
package io.zcrx.ingest.perf.proc;
