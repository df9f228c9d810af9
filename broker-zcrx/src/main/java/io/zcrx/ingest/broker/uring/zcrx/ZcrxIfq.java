package io.zcrx.ingest.broker.uring.zcrx;

import com.sun.jna.Memory;
import io.zcrx.ingest.broker.uring.NativeRegion;
import io.zcrx.ingest.broker.uring.Ring;
import io.zcrx.ingest.broker.uring.UringException;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.Sys;

import static io.zcrx.ingest.broker.uring.UringConstants.IORING_MEM_REGION_TYPE_USER;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_REGISTER_ZCRX_IFQ;
import static io.zcrx.ingest.broker.uring.UringConstants.ZCRX_RQ_ENTRIES_MAX;

/**
 * One zcrx interface queue ("ifq") registered on a ring: the NIC receive queue {@code rxQueue} of
 * {@code interfaceName} now DMAs TCP payload into our {@linkplain #area() area}, and we hand buffers back
 * through the {@linkplain #refillRing() refill ring} (docs/kernel-abi.md#zcrx-registration).
 *
 * <pre>
 *   area           anonymous mmap, areaBytes (page multiple, &lt;= 2 GiB); split by the kernel into 4 KiB
 *                  niovs; a RECV_ZC CQE points at area + (zcqe.off &amp; ~IORING_ZCRX_AREA_MASK)
 *   refill region  anonymous mmap, roundUpToPage(rqEntries*16 + 4096), IORING_MEM_REGION_TYPE_USER;
 *                  head/tail/rqes at the offsets the kernel writes back
 *   registration   io_uring_zcrx_ifq_reg{if_idx, if_rxq, rq_entries, area_ptr -> area_reg,
 *                  region_ptr -> region_desc}; out: zcrx_id, rq_entries, offsets, rq_area_token
 * </pre>
 *
 * <p>Lifetime: there is no unregister; the ifq lives until the ring fd is closed (released
 * asynchronously). {@link #close()} therefore requires the ring to be closed first and only then
 * unmaps the area and refill region (docs/kernel-abi.md#shutdown-order).
 *
 * <p>Threads: registered and used on the ring's thread. Not thread-safe.
 */
public final class ZcrxIfq implements AutoCloseable {
    private final Ring ring;
    private final String interfaceName;
    private final int ifIndex;
    private final int rxQueue;
    private final int zcrxId;
    private final NativeRegion area;
    private final NativeRegion refillRegion;
    private final RefillRing refillRing;
    private boolean closed;

    private ZcrxIfq(Ring ring, String interfaceName, int ifIndex, int rxQueue, int zcrxId, NativeRegion area,
                    NativeRegion refillRegion, RefillRing refillRing) {
        this.ring = ring;
        this.interfaceName = interfaceName;
        this.ifIndex = ifIndex;
        this.rxQueue = rxQueue;
        this.zcrxId = zcrxId;
        this.area = area;
        this.refillRegion = refillRegion;
        this.refillRing = refillRing;
    }

    /** The refill region size for {@code rqEntries}: entries plus a page for the head/tail header. */
    public static long refillRegionBytes(int rqEntries) {
        return NativeRegion.roundUpToPage((long) rqEntries * ZcrxLayout.Rqe.SIZE + NativeRegion.PAGE_SIZE);
    }

    /**
     * Registers receive queue {@code rxQueue} of {@code interfaceName} on {@code ring} (its thread).
     *
     * @param areaBytes         area size, rounded up to whole pages, at most 2 GiB (chunk indexes are ints)
     * @param rqEntries         refill ring entries, power of two, 1..32768
     * @param recvZcOpSupported whether the kernel's opcode probe lists RECV_ZC (disambiguates EINVAL)
     * @throws ZcrxRegisterException with the errno and its {@link ZcrxRegisterOutcome}
     * @throws UringException        when the memory cannot be mapped
     */
    public static ZcrxIfq register(Ring ring, String interfaceName, int rxQueue, long areaBytes, int rqEntries,
                                   boolean recvZcOpSupported) throws UringException {
        if (rxQueue < 0) {
            throw new IllegalArgumentException("zcrx rx queue must be >= 0: rxQueue=" + rxQueue);
        }
        if (Integer.bitCount(rqEntries) != 1 || rqEntries > ZCRX_RQ_ENTRIES_MAX) {
            throw new IllegalArgumentException("zcrx refill entries must be a power of two <= " + ZCRX_RQ_ENTRIES_MAX
                + ": rqEntries=" + rqEntries);
        }
        final long areaLength = NativeRegion.roundUpToPage(areaBytes);
        if (areaBytes <= 0 || areaLength > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("zcrx area must be 1 byte .. 2 GiB: areaBytes=" + areaBytes);
        }
        final int ifIndex = Sys.ifNameToIndex(interfaceName);
        if (ifIndex < 0) {
            throw new ZcrxRegisterException(-ifIndex, ZcrxRegisterOutcome.NO_SUCH_INTERFACE,
                "zcrx registration failed: interface=" + interfaceName + ", errno=" + Errno.describe(-ifIndex)
                + " from if_nametoindex, outcome=" + ZcrxRegisterOutcome.NO_SUCH_INTERFACE
                + " (" + ZcrxRegisterOutcome.NO_SUCH_INTERFACE.meaning() + ")");
        }
        NativeRegion area = null;
        NativeRegion refill = null;
        try {
            area = NativeRegion.anonymous(areaLength, "zcrx area " + interfaceName + "/" + rxQueue);
            refill = NativeRegion.anonymous(refillRegionBytes(rqEntries),
                "zcrx refill ring " + interfaceName + "/" + rxQueue);

            final Memory areaReg = new Memory(ZcrxLayout.AreaReg.SIZE);
            areaReg.clear();
            areaReg.setLong(ZcrxLayout.AreaReg.ADDR_OFFSET, area.address());
            areaReg.setLong(ZcrxLayout.AreaReg.LEN_OFFSET, areaLength);

            final Memory region = new Memory(ZcrxLayout.RegionDesc.SIZE);
            region.clear();
            region.setLong(ZcrxLayout.RegionDesc.USER_ADDR_OFFSET, refill.address());
            region.setLong(ZcrxLayout.RegionDesc.SIZE_OFFSET, refill.length());
            region.setInt(ZcrxLayout.RegionDesc.FLAGS_OFFSET, IORING_MEM_REGION_TYPE_USER);

            final Memory ifqReg = new Memory(ZcrxLayout.IfqReg.SIZE);
            ifqReg.clear();
            ifqReg.setInt(ZcrxLayout.IfqReg.IF_IDX_OFFSET, ifIndex);
            ifqReg.setInt(ZcrxLayout.IfqReg.IF_RXQ_OFFSET, rxQueue);
            ifqReg.setInt(ZcrxLayout.IfqReg.RQ_ENTRIES_OFFSET, rqEntries);
            ifqReg.setLong(ZcrxLayout.IfqReg.AREA_PTR_OFFSET, Memory.nativeValue(areaReg));
            ifqReg.setLong(ZcrxLayout.IfqReg.REGION_PTR_OFFSET, Memory.nativeValue(region));

            final int rc = ring.register(IORING_REGISTER_ZCRX_IFQ, Memory.nativeValue(ifqReg), 1);
            if (rc < 0) {
                final ZcrxRegisterOutcome outcome = ZcrxRegisterOutcome.of(-rc, recvZcOpSupported);
                throw new ZcrxRegisterException(-rc, outcome, "zcrx registration failed: interface=" + interfaceName
                    + " (ifindex " + ifIndex + "), rxQueue=" + rxQueue + ", errno=" + Errno.describe(-rc) + ", outcome="
                    + outcome + " (" + outcome.meaning() + ")");
            }
            final int zcrxId = ifqReg.getInt(ZcrxLayout.IfqReg.ZCRX_ID_OFFSET);
            final int entries = ifqReg.getInt(ZcrxLayout.IfqReg.RQ_ENTRIES_OFFSET);
            final int offsets = ZcrxLayout.IfqReg.OFFSETS_OFFSET;
            final int head = ifqReg.getInt(offsets + ZcrxLayout.Offsets.HEAD_OFFSET);
            final int tail = ifqReg.getInt(offsets + ZcrxLayout.Offsets.TAIL_OFFSET);
            final int rqes = ifqReg.getInt(offsets + ZcrxLayout.Offsets.RQES_OFFSET);
            final long token = areaReg.getLong(ZcrxLayout.AreaReg.RQ_AREA_TOKEN_OFFSET);
            final RefillRing refillRing = new RefillRing(refill.nativeOrderView(), head, tail, rqes, entries, token);
            return new ZcrxIfq(ring, interfaceName, ifIndex, rxQueue, zcrxId, area, refill, refillRing);
        } catch (UringException | RuntimeException e) {
            if (refill != null) {
                refill.close();
            }
            if (area != null) {
                area.close();
            }
            throw e;
        }
    }

    /**
     * Asks the kernel whether zcrx registration is reachable at all, without touching any NIC: a valid
     * registration naming an interface index that does not exist. The kernel checks capability, ring
     * flags and struct fields first and looks the interface up before anything is bound, so the
     * answer is {@code ENODEV} when zcrx is built in and permitted, {@code EPERM} without CAP_NET_ADMIN in
     * the initial namespace, {@code EOPNOTSUPP} without CONFIG_IO_URING_ZCRX, {@code EINVAL} on kernels that
     * do not know the opcode. Changes nothing on the machine. Call on the ring's thread.
     *
     * @return the positive errno the kernel answered (0 would mean an ifq was registered on that index)
     */
    public static int probeKernelSupport(Ring ring) throws UringException {
        try (NativeRegion area = NativeRegion.anonymous(NativeRegion.PAGE_SIZE, "zcrx probe area");
             NativeRegion refill = NativeRegion.anonymous(refillRegionBytes(64), "zcrx probe refill ring")) {
            final Memory areaReg = new Memory(ZcrxLayout.AreaReg.SIZE);
            areaReg.clear();
            areaReg.setLong(ZcrxLayout.AreaReg.ADDR_OFFSET, area.address());
            areaReg.setLong(ZcrxLayout.AreaReg.LEN_OFFSET, area.length());
            final Memory region = new Memory(ZcrxLayout.RegionDesc.SIZE);
            region.clear();
            region.setLong(ZcrxLayout.RegionDesc.USER_ADDR_OFFSET, refill.address());
            region.setLong(ZcrxLayout.RegionDesc.SIZE_OFFSET, refill.length());
            region.setInt(ZcrxLayout.RegionDesc.FLAGS_OFFSET, IORING_MEM_REGION_TYPE_USER);
            final Memory ifqReg = new Memory(ZcrxLayout.IfqReg.SIZE);
            ifqReg.clear();
            ifqReg.setInt(ZcrxLayout.IfqReg.IF_IDX_OFFSET, Integer.MAX_VALUE);
            ifqReg.setInt(ZcrxLayout.IfqReg.RQ_ENTRIES_OFFSET, 64);
            ifqReg.setLong(ZcrxLayout.IfqReg.AREA_PTR_OFFSET, Memory.nativeValue(areaReg));
            ifqReg.setLong(ZcrxLayout.IfqReg.REGION_PTR_OFFSET, Memory.nativeValue(region));
            final int rc = ring.register(IORING_REGISTER_ZCRX_IFQ, Memory.nativeValue(ifqReg), 1);
            return rc < 0 ? -rc : 0;
        }
    }

    /** Goes into {@code sqe.zcrx_ifq_idx} of every RECV_ZC on this queue. */
    public int zcrxId() {
        return zcrxId;
    }

    public NativeRegion area() {
        return area;
    }

    public RefillRing refillRing() {
        return refillRing;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public int ifIndex() {
        return ifIndex;
    }

    public int rxQueue() {
        return rxQueue;
    }

    /** Unmaps the area and refill region; only after the ring that registered the ifq is closed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (!ring.isClosed()) {
            throw new IllegalStateException("zcrx ifq memory released while its ring is open (no unregister exists;"
                + " close the ring first): interface=" + interfaceName + ", rxQueue=" + rxQueue);
        }
        closed = true;
        refillRegion.close();
        area.close();
    }

    @Override
    public String toString() {
        return "ZcrxIfq(" + interfaceName + "/" + rxQueue + ", zcrxId=" + zcrxId + ", area=" + area.length()
            + " bytes, " + refillRing + ")";
    }
}
