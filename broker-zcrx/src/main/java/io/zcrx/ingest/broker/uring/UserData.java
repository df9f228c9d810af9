package io.zcrx.ingest.broker.uring;

/**
 * Packs what a completion belongs to into the 64-bit {@code user_data} the kernel echoes (Netty's
 * {@code UserData}): an op tag, a connection slot and that slot's generation.
 *
 * <pre>
 *   63                              32 31                    8 7        0
 *   +---------------------------------+-----------------------+----------+
 *   |  generation (u32)               |  slot (u24)           |  op (u8) |
 *   +---------------------------------+-----------------------+----------+
 * </pre>
 *
 * A slot is reused for a new connection only with a new generation, so a late CQE for the old one is
 * recognised as stale and ignored (counted) instead of being applied to the wrong connection.
 */
public final class UserData {
    public static final int OP_BITS = 8;
    public static final int SLOT_BITS = 24;
    public static final int SLOT_MAX = (1 << SLOT_BITS) - 1;

    private UserData() {
    }

    public static long encode(int op, int slot, int generation) {
        if ((op & ~0xFF) != 0 || slot < 0 || slot > SLOT_MAX) {
            throw new IllegalArgumentException("user_data field out of range: op=" + op + ", slot=" + slot);
        }
        return ((long) generation << 32) | ((long) slot << OP_BITS) | op;
    }

    public static int op(long userData) {
        return (int) (userData & 0xFF);
    }

    public static int slot(long userData) {
        return (int) ((userData >>> OP_BITS) & SLOT_MAX);
    }

    public static int generation(long userData) {
        return (int) (userData >>> 32);
    }
}
