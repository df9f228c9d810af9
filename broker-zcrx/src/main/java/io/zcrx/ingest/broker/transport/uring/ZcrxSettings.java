package io.zcrx.ingest.broker.transport.uring;

import java.util.List;

/**
 * zcrx settings, filled in by the broker from {@code zcrx.interface}, {@code zcrx.rx.queues},
 * {@code zcrx.area.bytes}, {@code zcrx.refill.entries}. One reactor (ring, ifq, area) per rx queue.
 *
 * @param interfaceName NIC whose queues are steered to the broker
 * @param rxQueues      hardware rx queue per reactor
 * @param areaBytes     receive area per queue: the in-flight receive budget (page multiple, &lt;= 2 GiB)
 * @param refillEntries refill ring entries per queue (power of two, &lt;= 32768)
 */
public record ZcrxSettings(String interfaceName, List<Integer> rxQueues, long areaBytes, int refillEntries) {
    public ZcrxSettings {
        if (interfaceName == null || interfaceName.isBlank() || rxQueues == null || rxQueues.isEmpty()
                || areaBytes <= 0 || areaBytes > Integer.MAX_VALUE || Integer.bitCount(refillEntries) != 1
                || refillEntries > 32768) {
            throw new IllegalArgumentException("zcrx settings out of range: interface=" + interfaceName + ", rxQueues="
                + rxQueues + ", areaBytes=" + areaBytes + ", refillEntries=" + refillEntries);
        }
        rxQueues = List.copyOf(rxQueues);
    }
}
