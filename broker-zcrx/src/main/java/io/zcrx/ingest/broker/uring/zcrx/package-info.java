/**
 * zcrx registration and refill, the kernel side of zero-copy receive: {@code ZcrxIfq} registers one NIC receive
 * queue with its area and refill region on a ring, {@code RefillRing} returns received memory to the kernel
 * (store-release of the tail, stash when full, never drop), and {@code ZcrxLayout}, {@code ZcrxRegisterOutcome} and
 * {@code ZcrxRegisterException} are the struct layouts and what each registration errno means
 * (docs/kernel-abi.md#zcrx-registration). Used only on the ring's own thread. Depends on {@code uring} alone.
 */
package io.zcrx.ingest.broker.uring.zcrx;
