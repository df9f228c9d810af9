package io.zcrx.ingest.broker.transport.uring;

/**
 * What the final CQE of a multishot receive (no {@code IORING_CQE_F_MORE}) means for the connection
 * (docs/kernel-abi.md#multishot-receive). Classified per receive mode by
 * {@link ReceiveMemory#classifyEnd}.
 */
public enum RecvEnd {
    /** Ended without a problem for the socket (EINTR, EAGAIN): arm again at once. */
    REARM,
    /**
     * The CQ ring was full, so the kernel ended the multishot (copy mode: a last CQE with data and no
     * F_MORE; zcrx: ENOSPC, the bytes stay in the socket): drain, then arm again.
     */
    CQ_OVERFLOW,
    /** Receive memory ran dry (copy: ENOBUFS; zcrx: ENOMEM): arm again once memory came back. */
    REARM_WHEN_MEMORY,
    /** res = 0: the peer shut down its side. */
    EOF,
    /** Cancelled by us (pause or close). */
    CANCELED,
    /** The socket failed (reset, timeout, broken pipe, ...): close the connection. */
    SOCKET_ERROR,
    /** zcrx EFAULT: the flow's packets land on another zcrx queue than this reactor's (steering). */
    MISROUTED,
    /** zcrx EPROTONOSUPPORT: not a plain TCP socket. */
    NOT_PLAIN_TCP,
    /** EINVAL, EBADF, ENOTSOCK, ...: our submission was wrong. */
    BUG
}
