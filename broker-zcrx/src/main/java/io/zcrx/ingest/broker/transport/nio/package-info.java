/**
 * The portable transport ({@code transport=nio}), for machines without io_uring: {@code NioTransport} runs
 * {@code num.network.threads} selector threads ({@code nio-reactor-N}), reactor 0 accepting; {@code NioReactor}
 * reads with {@code SocketChannel.read} into buffers of a fixed native pool ({@code NioReceiveMemory}), stops
 * reading when the pool runs dry and grants freed buffers to starved connections in FIFO order;
 * {@code NioConnection} sends the outbound queue, file regions with {@code FileChannel.transferTo}. Implements the
 * {@code transport} contract; depends on {@code transport} and {@code transport.outbound}.
 */
package io.zcrx.ingest.broker.transport.nio;
