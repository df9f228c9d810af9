package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.testkit.TestBroker;
import io.zcrx.ingest.broker.uring.UringSupport;
import io.zcrx.ingest.broker.uring.testkit.ZcrxAvailability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What every transport-neutral suite shares (Netty's pattern: one abstract suite, one subclass per
 * transport): the whole class is skipped, with the reason, when the subclass's transport cannot
 * run on this machine; the class gets a temp directory, removed afterwards; brokers started by the
 * suite get the transport and the transport's own settings (zcrx names its interface).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TransportSuite {
    /** The class's temp directory; tests use distinct names below it. */
    protected Path tmp;

    /** {@code nio}, {@code uring} or {@code zcrx}. */
    protected abstract String transport();

    /**
     * Null when the transport can run here, else why not (the suite is skipped with it): the kernel's
     * answer for io_uring and for zcrx registration on the NIC {@link ZcrxAvailability} picks.
     */
    protected String unavailableReason() {
        return switch (transport()) {
            case "uring" -> {
                final UringSupport s = UringSupport.get();
                yield s.copyModeAvailable() ? null : "copy-mode io_uring unavailable: " + s.reason();
            }
            case "zcrx" -> ZcrxAvailability.reason();
            default -> null;
        };
    }

    /** Extra broker settings the transport needs ({@code key, value, ...}): zcrx names its interface. */
    protected String[] transportOverrides() {
        return transport().equals("zcrx") ? ZcrxAvailability.brokerSettings() : new String[0];
    }

    /** Keep the temp directory after the class (for a failed run worth inspecting). */
    protected boolean keepTempDir() {
        return false;
    }

    @BeforeAll
    final void prepareTransportSuite() throws IOException {
        final String why = unavailableReason();
        if (why != null) {
            // A class skipped in @BeforeAll shows up as "Tests run: 0"; say why in its output file.
            System.out.println(getClass().getSimpleName() + " skipped: transport " + transport() + " cannot run here: "
                + why);
        }
        Assumptions.assumeTrue(why == null, () -> "transport " + transport() + " skipped: " + why);
        tmp = Files.createTempDirectory("zcrx-" + getClass().getSimpleName());
    }

    @AfterAll
    final void removeTransportSuiteDir() throws IOException {
        if (tmp == null) {
            return;
        }
        if (keepTempDir()) {
            System.out.println(getClass().getSimpleName() + ": temp directory kept for inspection: " + tmp);
        } else {
            TestBroker.deleteRecursively(tmp);
        }
    }

    /** {@code settings} followed by {@link #transportOverrides()}. */
    protected final String[] withTransport(String... settings) {
        final String[] extra = transportOverrides();
        final String[] all = Arrays.copyOf(settings, settings.length + extra.length);
        System.arraycopy(extra, 0, all, settings.length, extra.length);
        return all;
    }

    /** A broker of the suite's transport with its log dir at {@code tmp/dir}. */
    protected final TestBroker startBroker(String dir, String... settings) throws IOException {
        return TestBroker.start(tmp.resolve(dir), transport(), withTransport(settings));
    }
}
