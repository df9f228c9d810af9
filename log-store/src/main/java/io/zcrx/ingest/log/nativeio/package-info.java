/**
 * The few libc calls the log needs that the JDK does not offer, through JNA direct mapping: {@code GatherWriter}
 * appends a batch with one {@code pwritev} of the patched header copy plus the payload ranges still in receive
 * memory (per-thread iovec scratch, splits at IOV_MAX, short writes and EINTR handled), and {@code Fallocate}
 * reserves index blocks. errno is read once, right after the failing call. Depends on {@code protocol.bytes} for
 * the payload ranges; thread-safe (per-thread scratch).
 */
package io.zcrx.ingest.log.nativeio;
