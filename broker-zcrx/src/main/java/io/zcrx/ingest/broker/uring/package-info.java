/**
 * The kernel binding and nothing else: io_uring through raw syscalls with JNA direct mapping (no JNI, no liburing).
 * {@code Syscalls} is the only native entry point; {@code Ring}, {@code SqeWriter}, {@code CompletionBatch} and
 * {@code UserData} are the mapped submission and completion queues and how operations are written and completions
 * read; {@code UringConstants} and {@code UringLayout} hold every number shared with the kernel;
 * {@code UringSupport} and {@code Capabilities} probe what this kernel and process can do; the {@code *Outcome}
 * enums name what each call's errno means. A ring belongs to the thread that created it. This package, like
 * {@code uring.bufring} and {@code uring.zcrx}, depends on nothing else of the broker, so it can be tested against
 * the kernel alone (docs/kernel-abi.md).
 */
package io.zcrx.ingest.broker.uring;
