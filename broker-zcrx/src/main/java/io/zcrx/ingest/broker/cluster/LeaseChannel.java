package io.zcrx.ingest.broker.cluster;

import io.zcrx.ingest.broker.metadata.ClusterState;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.NodeApiVersions;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.BrokerHeartbeatRequest;
import org.apache.kafka.common.requests.BrokerHeartbeatResponse;
import org.apache.kafka.common.requests.BrokerRegistrationRequest;
import org.apache.kafka.common.requests.BrokerRegistrationResponse;
import org.apache.kafka.server.common.ControllerRequestCompletionHandler;
import org.apache.kafka.server.common.NodeToControllerChannelManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel Kafka's {@code BrokerLifecycleManager} talks to the controller through: Kafka's
 * {@code NodeToControllerChannelManagerImpl}, watched on the way back. Kafka's brokers learn of
 * their fencing only through the metadata log; this broker also keeps a <em>leadership lease</em>
 * from the heartbeat answers ({@link ClusterState#extendLease}): a heartbeat sent at {@code t} and
 * answered "not fenced" lets it lead until {@code t + broker.session.timeout.ms}, the earliest moment
 * the controller could fence it for silence; an answer "fenced" ends the lease at once. So a broker
 * cut off from the quorum stops acknowledging produce no later than the controller gives its
 * partitions to another broker. It also records the broker epoch at registration and reports a
 * refused registration.
 *
 * <p>Thread safety: requests come from the lifecycle manager's thread, answers on the channel's
 * thread; the state written here is ClusterState's volatiles and a volatile flag.
 */
final class LeaseChannel implements NodeToControllerChannelManager {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseChannel.class);

    private final NodeToControllerChannelManager inner;
    private final ClusterState cluster;
    private final long sessionNanos;
    private final Consumer<Errors> registrationRefused;
    /** Null until the first heartbeat answer; then whether the controller last said "fenced". */
    private volatile Boolean fenced;
    /** Set at controlled shutdown, where the controller fences the broker as asked (not worth a warning). */
    private volatile boolean shuttingDown;

    LeaseChannel(NodeToControllerChannelManager inner, ClusterState cluster, long sessionTimeoutMs,
                 Consumer<Errors> registrationRefused) {
        this.inner = inner;
        this.cluster = cluster;
        this.sessionNanos = TimeUnit.MILLISECONDS.toNanos(sessionTimeoutMs);
        this.registrationRefused = registrationRefused;
    }

    @Override
    public void start() {
        inner.start();
    }

    @Override
    public void shutdown() throws InterruptedException {
        inner.shutdown();
    }

    @Override
    public Optional<NodeApiVersions> controllerApiVersions() {
        return inner.controllerApiVersions();
    }

    @Override
    public long getTimeoutMs() {
        return inner.getTimeoutMs();
    }

    @Override
    public void sendRequest(AbstractRequest.Builder<? extends AbstractRequest> request,
                            ControllerRequestCompletionHandler handler) {
        if (request instanceof BrokerHeartbeatRequest.Builder) {
            final long sentNanos = System.nanoTime();
            inner.sendRequest(request, new Watch(handler, response -> onHeartbeat(response, sentNanos)));
        } else if (request instanceof BrokerRegistrationRequest.Builder) {
            inner.sendRequest(request, new Watch(handler, this::onRegistration));
        } else {
            inner.sendRequest(request, handler);
        }
    }

    /** The broker asked for a controlled shutdown: the "fenced" answers that follow are expected. */
    void shuttingDown() {
        shuttingDown = true;
    }

    private void onHeartbeat(ClientResponse response, long sentNanos) {
        if (!(response.responseBody() instanceof BrokerHeartbeatResponse r)
            || r.data().errorCode() != Errors.NONE.code()) {
            return;
        }
        final boolean nowFenced = r.data().isFenced();
        if (nowFenced) {
            cluster.revokeLease();
        } else {
            cluster.extendLease(sentNanos + sessionNanos);
        }
        final Boolean was = fenced;
        fenced = nowFenced;
        if (was != null && was && !nowFenced) {
            LOG.info("unfenced by the controller (broker epoch {}): leading partitions", cluster.brokerEpoch());
        } else if (was != null && !was && nowFenced && !shuttingDown) {
            LOG.warn("fenced by the controller (broker epoch {}): no longer acknowledging writes as a leader",
                cluster.brokerEpoch());
        }
    }

    private void onRegistration(ClientResponse response) {
        if (!(response.responseBody() instanceof BrokerRegistrationResponse r)) {
            return;
        }
        final Errors error = Errors.forCode(r.data().errorCode());
        if (error == Errors.NONE) {
            cluster.setBrokerEpoch(r.data().brokerEpoch());
            fenced = Boolean.TRUE;
            LOG.info("registered with the controller: broker epoch {}", r.data().brokerEpoch());
        } else {
            LOG.warn("the controller refused the registration: {}", error);
            registrationRefused.accept(error);
        }
    }

    /** Kafka's handler, with our look at the answer first. */
    private static final class Watch implements ControllerRequestCompletionHandler {
        private final ControllerRequestCompletionHandler handler;
        private final Consumer<ClientResponse> watcher;

        Watch(ControllerRequestCompletionHandler handler, Consumer<ClientResponse> watcher) {
            this.handler = handler;
            this.watcher = watcher;
        }

        @Override
        public void onComplete(ClientResponse response) {
            try {
                watcher.accept(response);
            } catch (RuntimeException e) {
                LOG.error("handling a controller answer failed", e);
            }
            handler.onComplete(response);
        }

        @Override
        public void onTimeout() {
            handler.onTimeout();
        }
    }
}
