package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: an admin request the controller owns (CreateTopics, DeleteTopics, CreatePartitions)
 * goes to the active controller with the client's own request data at the client's version, and the
 * controller's answer (at that version) is relayed to the client, as Kafka's {@code ForwardingManager}
 * does with the client's request in an envelope. The response is deferred meanwhile; when the controller does not
 * answer within {@link #TIMEOUT_MS} (or the channel fails) every topic gets REQUEST_TIMED_OUT through
 * the request's own {@code getErrorResponse}, never a hang.
 *
 * <p>Thread-safe (stateless).
 */
final class ForwardToController {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardToController.class);
    /** Kafka's {@code request.timeout.ms} default, the bound of a forwarded request. */
    static final int TIMEOUT_MS = 30_000;

    private ForwardToController() {
    }

    /**
     * Defers {@code req}'s response and completes it with the controller's answer to
     * {@code clientRequest} (the client's data, built at the client's version).
     */
    static void forward(BrokerContext ctx, RequestContext req, AbstractRequest clientRequest) {
        forward(ctx, req, clientRequest, data -> { });
    }

    /**
     * As {@link #forward(BrokerContext, RequestContext, AbstractRequest)}, where this broker answered part of the
     * client's request itself (topics it refused before asking the controller): {@code addLocal} adds those
     * answers to whatever response goes to the client, the controller's or the error response.
     */
    static void forward(BrokerContext ctx, RequestContext req, AbstractRequest clientRequest,
                        Consumer<ApiMessage> addLocal) {
        final PendingResponse pending = req.defer();
        final CompletableFuture<AbstractResponse> answer;
        try {
            answer = ctx.controller().send(new Rebuild(clientRequest));
        } catch (RuntimeException e) {
            pending.completeFromAnyThread(withLocal(errorResponse(clientRequest, e), addLocal));
            return;
        }
        answer.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).whenComplete((response, failure) -> {
            if (failure == null && response != null && response.apiKey() == clientRequest.apiKey()) {
                pending.completeFromAnyThread(withLocal(response.data(), addLocal));
                return;
            }
            final Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
            LOG.warn("{} from {} ({}): no answer from the controller: {}", clientRequest.apiKey(), req.connection(),
                req.clientId(), cause != null ? cause.toString() : "unexpected response " + response);
            pending.completeFromAnyThread(withLocal(errorResponse(clientRequest, cause), addLocal));
        });
    }

    private static ApiMessage withLocal(ApiMessage data, Consumer<ApiMessage> addLocal) {
        addLocal.accept(data);
        return data;
    }

    /** The request's own error response: the controller's error where it gave one, else REQUEST_TIMED_OUT. */
    private static ApiMessage errorResponse(AbstractRequest request, Throwable cause) {
        final Throwable e = cause instanceof ApiException && Errors.forException(cause) != Errors.UNKNOWN_SERVER_ERROR
            ? cause
            : new TimeoutException("The controller did not answer " + request.apiKey() + " in time"
                + (cause == null ? "" : ": " + cause));
        return request.getErrorResponse(0, e).data();
    }

    /**
     * The client's request as it came, pinned to the client's version: the controller answers at
     * that version, so its response is exactly what the client can read (Kafka 4 controllers accept
     * every version this broker advertises for these APIs).
     */
    private static final class Rebuild extends AbstractRequest.Builder<AbstractRequest> {
        private final AbstractRequest request;

        Rebuild(AbstractRequest request) {
            super(request.apiKey(), request.version());
            this.request = request;
        }

        @Override
        public AbstractRequest build(short version) {
            return request;
        }
    }
}
