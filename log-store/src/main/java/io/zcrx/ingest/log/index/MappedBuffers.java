package io.zcrx.ingest.log.index;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Unmaps a {@link MappedByteBuffer} now instead of whenever the garbage collector finds it, with
 * {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}, which opens
 * {@code sun.misc}; no JVM flags needed). Kafka does the same for its indexes (KAFKA-4614): an
 * unmap left to the GC can stall a safepoint, and a file must be unmapped before it is truncated
 * below the mapped length (touching a mapped page past the end of the file raises SIGBUS).
 *
 * <p>The caller guarantees that no thread touches the buffer afterwards (the index remap lock does
 * this); a later access would read unmapped memory and crash the JVM.
 */
final class MappedBuffers {
    private static final MethodHandle INVOKE_CLEANER = lookupInvokeCleaner();

    private MappedBuffers() {
    }

    static void unmap(MappedByteBuffer buffer) {
        if (buffer == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact((ByteBuffer) buffer);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("unmap failed: capacity=" + buffer.capacity(), t);
        }
    }

    private static MethodHandle lookupInvokeCleaner() {
        try {
            final Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            final Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            final Object unsafe = theUnsafe.get(null);
            return MethodHandles.lookup()
                .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError(
                "sun.misc.Unsafe.invokeCleaner unavailable (module jdk.unsupported missing?): " + e);
        }
    }
}
