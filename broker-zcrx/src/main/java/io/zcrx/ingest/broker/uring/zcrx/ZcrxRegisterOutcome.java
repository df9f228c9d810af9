package io.zcrx.ingest.broker.uring.zcrx;

import io.zcrx.ingest.nativeio.Errno;


/**
 * What an {@code IORING_REGISTER_ZCRX_IFQ} errno means and what to do about it (with the
 * kernel's check order: docs/kernel-abi.md#zcrx-registration). {@link Kind} separates "this machine cannot do zcrx"
 * (fall back to copy mode) from "zcrx could work but is misconfigured" (tell the operator; {@code doctor} prints
 * the fix).
 */
public enum ZcrxRegisterOutcome {
    NOT_SUPPORTED(Kind.CAPABILITY, "no zcrx-capable NIC/driver behind this interface (no queue API or DMA device:"
        + " virtio_net, veth, lo and most NICs), or kernel built without CONFIG_IO_URING_ZCRX"),
    KERNEL_TOO_OLD(Kind.CAPABILITY, "kernel without zcrx (IORING_REGISTER_ZCRX_IFQ / RECV_ZC need 6.15+)"),
    NO_PAGE_POOL_PROVIDER(Kind.CAPABILITY,
        "the driver restarted the queue but its page pool does not accept a memory provider"),
    NO_CAP_NET_ADMIN(Kind.CONFIGURATION, "missing CAP_NET_ADMIN in the initial user namespace (containers: run"
        + " privileged or grant the capability)"),
    NO_SUCH_INTERFACE(Kind.CONFIGURATION, "zcrx.interface does not name a network interface"),
    QUEUE_OUT_OF_RANGE(Kind.CONFIGURATION, "zcrx.rx.queues names a queue index the interface does not have"),
    NIC_NOT_CONFIGURED(Kind.CONFIGURATION, "the NIC is not set up for zcrx: tcp-data-split off or hds-thresh != 0 "
        + "(run zcrx-doctor for the ethtool commands)"),
    QUEUE_BUSY(Kind.CONFIGURATION, "the queue already has a memory provider (another zcrx/devmem user, or our previous"
        + " ring still tearing down) or an XDP program is attached"),
    AF_XDP_BOUND(Kind.CONFIGURATION, "an AF_XDP socket is bound to the queue"),
    MEMORY_LIMIT(Kind.CONFIGURATION,
        "cannot pin the area: out of memory or RLIMIT_MEMLOCK too low (raise it or grant CAP_IPC_LOCK)"),
    BAD_ADDRESS(Kind.BUG, "the kernel rejected our area or region memory (bad pointer, read-only or misaligned area)"),
    UNEXPECTED(Kind.BUG, "unexpected errno from IORING_REGISTER_ZCRX_IFQ");

    /** Whose problem it is. */
    public enum Kind {
        /** The machine (kernel, NIC, driver) cannot do zcrx: copy mode is the right transport. */
        CAPABILITY,
        /** zcrx could run after an operator fix. */
        CONFIGURATION,
        /** Our registration is wrong. */
        BUG
    }

    private final Kind kind;
    private final String meaning;

    ZcrxRegisterOutcome(Kind kind, String meaning) {
        this.kind = kind;
        this.meaning = meaning;
    }

    public Kind kind() {
        return kind;
    }

    public String meaning() {
        return meaning;
    }

    /**
     * @param errno             positive errno from the registration
     * @param recvZcOpSupported whether IORING_REGISTER_PROBE lists RECV_ZC: without it EINVAL means an
     *                          unknown register opcode (kernel &lt; 6.15), with it a NIC setting
     */
    public static ZcrxRegisterOutcome of(int errno, boolean recvZcOpSupported) {
        switch (errno) {
            case Errno.EOPNOTSUPP:
                return NOT_SUPPORTED;
            case Errno.EINVAL:
                return recvZcOpSupported ? NIC_NOT_CONFIGURED : KERNEL_TOO_OLD;
            case Errno.ENODATA:
                return NO_PAGE_POOL_PROVIDER;
            case Errno.EPERM:
                return NO_CAP_NET_ADMIN;
            case Errno.ENODEV:
                return NO_SUCH_INTERFACE;
            case Errno.ERANGE:
                return QUEUE_OUT_OF_RANGE;
            case Errno.EEXIST:
                return QUEUE_BUSY;
            case Errno.EBUSY:
                return AF_XDP_BOUND;
            case Errno.ENOMEM:
                return MEMORY_LIMIT;
            case Errno.EFAULT:
                return BAD_ADDRESS;
            default:
                return UNEXPECTED;
        }
    }
}
