package io.zcrx.ingest.nativeio;

/**
 * Byte layout of {@code struct iovec} ({@code <bits/types/struct_iovec.h>}, LP64), the element of
 * the array {@code pwritev} reads. {@code IovecLayoutTest} checks it against a C probe when a
 * compiler is present.
 *
 * <pre>
 *   0  iov_base  void *   start of the range
 *   8  iov_len   size_t   bytes in the range
 *  16  (size)
 * </pre>
 */
public final class IovecLayout {
    public static final int IOV_BASE_OFFSET = 0;
    public static final int IOV_BASE_LENGTH = 8;
    public static final int IOV_LEN_OFFSET = IOV_BASE_OFFSET + IOV_BASE_LENGTH;
    public static final int IOV_LEN_LENGTH = 8;
    public static final int IOVEC_LENGTH = IOV_LEN_OFFSET + IOV_LEN_LENGTH;

    private IovecLayout() {
    }
}
