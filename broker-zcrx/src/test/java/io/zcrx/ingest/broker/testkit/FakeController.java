package io.zcrx.ingest.broker.testkit;

import io.zcrx.ingest.broker.request.ControllerChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * A controller channel whose answers the test gives: each {@link #send} is recorded with its
 * request (built at the builder's newest allowed version) and a future the test completes with a
 * canned controller response or a failure. Only for what a real controller cannot show in a unit
 * test (forwarding, a controller that never answers); the cluster ITs use a real one.
 */
public final class FakeController implements ControllerChannel {
    /** One request sent to the "controller" and the future its answer completes. */
    public record Call(AbstractRequest request, CompletableFuture<AbstractResponse> answer) {
    }

    public final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<AbstractResponse> send(AbstractRequest.Builder<? extends AbstractRequest> builder) {
        final Call c = new Call(builder.build(builder.latestAllowedVersion()), new CompletableFuture<>());
        calls.add(c);
        return c.answer();
    }

    public Call last() {
        return calls.get(calls.size() - 1);
    }
}
