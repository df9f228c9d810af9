package io.zcrx.ingest.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void namesKeepTheFormsMessagesUse() {
        // Goal: the two forms log lines and exceptions print ("EOPNOTSUPP (95)" from the io_uring
        // layer, "ENOSPC" after "errno=28 (" from the log) and the fallback for unlisted values.
        // Method: compare with literal strings, for either sign (io_uring results are -errno).
        assertEquals("EOPNOTSUPP (95)", Errno.describe(Errno.EOPNOTSUPP));
        assertEquals("EOPNOTSUPP (95)", Errno.describe(-Errno.EOPNOTSUPP));
        assertEquals("ENOSPC", Errno.name(Errno.ENOSPC));
        assertEquals("EDQUOT", Errno.name(-Errno.EDQUOT));
        assertEquals("errno 200", Errno.name(200));
        assertEquals("errno 200", Errno.describe(-200));
        assertEquals("errno 3", Errno.describe(3));
        assertTrue(Errno.isBug(Errno.EFAULT));
        assertTrue(Errno.isBug(Errno.EINVAL));
        assertFalse(Errno.isBug(Errno.ENOSPC));
    }

    @Test
    void sysReturnsMinusErrnoReadRightAfterTheCall() {
        // Goal: the -errno convention of Sys, and the Linux-only symbols bound apart from the rest.
        // Method: close a descriptor that is not open (EBADF); open and close an eventfd.
        assumeTrue(Platform.isLinux() && Platform.is64Bit(), "Sys is for 64-bit Linux");
        assertEquals(-Errno.EBADF, Sys.closeFd(Integer.MAX_VALUE));
        final int fd = Sys.eventFd(0, Sys.EFD_CLOEXEC);
        assertTrue(fd >= 0, "eventfd: " + Errno.describe(fd));
        assertEquals(0, Sys.closeFd(fd));
        assertTrue(LibC.hasPosixFallocate());
        assertEquals(-Errno.ENODEV, Sys.ifNameToIndex("no-such-if0"));
    }
}
