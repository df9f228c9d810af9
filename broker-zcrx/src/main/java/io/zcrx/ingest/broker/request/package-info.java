/**
 * What a request handler sees of a request and how it answers: {@code RequestContext} (api, version, client, and
 * {@code respond} or {@code defer}), {@code RequestChannel} (responses leave in request order),
 * {@code PendingResponse} (an answer completed later, from any thread, still in order), {@code ResponseWriter} (a
 * response that writes itself into the outbound queue, e.g. file regions), {@code RequestLimits}, the
 * {@code ControlHandler} interface every control-plane API implements, {@code BrokerContext}, what all handlers
 * share, and {@code FetchWaiters}, the requests parked until an append or a timeout (Kafka's fetch purgatory:
 * here because both Produce, which wakes them, and Fetch, which parks them, reach it through the context). Used on
 * the connection's reactor thread unless a class says otherwise. May depend on {@code transport.outbound},
 * {@code metadata}, {@code group}, {@code config} and {@code runtime}, never on the handlers above it.
 */
package io.zcrx.ingest.broker.request;
