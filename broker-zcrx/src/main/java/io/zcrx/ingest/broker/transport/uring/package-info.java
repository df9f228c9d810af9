/**
 * The io_uring transports: {@code UringTransport} ({@code transport=uring}, multishot RECV into a provided buffer
 * ring, bundles where available) and {@code ZcrxTransport} ({@code transport=zcrx}, RECV_ZC into a registered area,
 * one reactor per configured NIC queue), both built on {@code AbstractUringTransport} and constructed by
 * {@code UringTransports} from the broker configuration. One {@code UringReactor} thread per ring
 * ({@code uring-reactor-N} / {@code zcrx-reactor-N}) creates its ring, owns its connections
 * ({@code UringConnection}, by slot in {@code ConnectionSlots}) and its receive memory ({@code ReceiveMemory}:
 * {@code CopyReceiveMemory} or {@code ZcrxReceiveMemory}), drains completions, and pauses the busiest connections
 * when its {@code ReceiveLedger} says memory runs short ({@code ReceivePressure}); {@code RecvEnd} classifies how a
 * multishot receive ended (docs/kernel-abi.md#multishot-receive). Depends on {@code transport},
 * {@code transport.outbound} and the kernel binding in {@code uring}, {@code uring.bufring} and {@code uring.zcrx}.
 */
package io.zcrx.ingest.broker.transport.uring;
