package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zcrx.ingest.broker.testkit.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * A transport-neutral suite whose tests share one broker (started once per class, with
 * {@link #brokerSettings()}); after every test no receive chunk may be outstanding.
 */
public abstract class SharedBrokerSuite extends TransportSuite {
    protected TestBroker broker;

    /** Settings of the shared broker ({@code key, value, ...}). */
    protected String[] brokerSettings() {
        return new String[0];
    }

    @BeforeAll
    final void startSharedBroker() throws Exception {
        broker = startBroker("logs", brokerSettings());
        assertEquals(transport(), broker.transportName(), "the broker runs the suite's transport");
    }

    @AfterEach
    final void noLeaks() throws Exception {
        if (broker != null) {
            broker.assertNoLeaks();
        }
    }

    @AfterAll
    final void stopSharedBroker() {
        if (broker != null) {
            broker.close();
        }
    }
}
