package io.zcrx.ingest.broker.request;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * The way to the active KRaft controller (cluster mode only): admin requests that the controller
 * owns (CreateTopics, DeleteTopics, CreatePartitions, configs, AllocateProducerIds) are sent here
 * and their answers returned to the client. The future completes on the channel's own thread, with
 * the controller's response, or exceptionally when no controller answered in time; a handler
 * completes its deferred response from there ({@code PendingResponse.completeFromAnyThread}).
 */
public interface ControllerChannel {
    CompletableFuture<AbstractResponse> send(AbstractRequest.Builder<? extends AbstractRequest> request);
}
