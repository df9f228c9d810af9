package io.zcrx.ingest.broker.cluster;

import io.zcrx.ingest.broker.request.ControllerChannel;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.server.common.ControllerRequestCompletionHandler;
import org.apache.kafka.server.common.NodeToControllerChannelManager;

/**
 * {@link ControllerChannel} on Kafka's {@code NodeToControllerChannelManagerImpl} (the "forwarding"
 * channel of Kafka's brokers): it finds the active controller through the Raft client, retries on
 * NOT_CONTROLLER and disconnects until its retry timeout, and answers on its own thread.
 *
 * <p>Thread-safe (Kafka's channel is).
 */
final class ForwardingChannel implements ControllerChannel {
    private final NodeToControllerChannelManager channel;

    ForwardingChannel(NodeToControllerChannelManager channel) {
        this.channel = channel;
    }

    @Override
    public CompletableFuture<AbstractResponse> send(AbstractRequest.Builder<? extends AbstractRequest> request) {
        final CompletableFuture<AbstractResponse> future = new CompletableFuture<>();
        channel.sendRequest(request, new ControllerRequestCompletionHandler() {
            @Override
            public void onComplete(ClientResponse response) {
                if (response.versionMismatch() != null) {
                    future.completeExceptionally(response.versionMismatch());
                } else if (response.authenticationException() != null) {
                    future.completeExceptionally(response.authenticationException());
                } else if (response.responseBody() == null) {
                    future.completeExceptionally(new NetworkException("no answer from the controller for "
                        + request.apiKey() + (response.wasDisconnected() ? " (disconnected)" : "")));
                } else {
                    future.complete(response.responseBody());
                }
            }

            @Override
            public void onTimeout() {
                future.completeExceptionally(new TimeoutException("no controller answered " + request.apiKey()
                    + " within " + channel.getTimeoutMs() + " ms"));
            }
        });
        return future;
    }
}
