/**
 * The kernel binding and nothing else: io_uring through raw syscalls (no JNI, no liburing). {@code Syscalls} holds
 * the io_uring system call numbers and argument marshalling over native-io's libc binding
 * ({@code io.zcrx.ingest.nativeio}, which also supplies mmap, sockets and {@code Errno}); {@code Ring},
 * {@code SqeWriter}, {@code CompletionBatch} and {@code UserData} are the mapped submission and completion queues and
 * how operations are written and completions read; {@code UringConstants} and {@code UringLayout} hold every number
 * shared with the kernel; {@code UringSupport} and {@code Capabilities} probe what this kernel and process can do;
 * the {@code *Outcome} enums name what each call's errno means. A ring belongs to the thread that created it. This
 * package, like {@code uring.bufring} and {@code uring.zcrx}, depends on nothing else of the broker (native-io
 * aside), so it can be tested against the kernel alone (docs/kernel-abi.md).
 */
package io.zcrx.ingest.broker.uring;
