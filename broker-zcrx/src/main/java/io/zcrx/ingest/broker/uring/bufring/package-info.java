/**
 * Provided buffer rings, copy mode's receive memory: {@code BufferRing} registers a kernel-allocated ring for one
 * buffer group, backs it with one block of equal buffers, re-adds buffers in slot order and mirrors which buffer id
 * sits in each slot so that a bundle completion maps to exactly the buffers it filled; {@code BufRingLayout} and
 * {@code PbufRegisterOutcome} are the struct layouts and the registration errnos
 * (docs/kernel-abi.md#provided-buffer-rings). Used only on the ring's own thread. Depends on {@code uring} alone.
 */
package io.zcrx.ingest.broker.uring.bufring;
