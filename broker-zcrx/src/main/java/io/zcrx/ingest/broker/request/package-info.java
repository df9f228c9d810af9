/**
 * What a request handler sees of a request and how it answers: {@code RequestContext} (api, version, client, and
 * {@code respond} or {@code defer}), {@code RequestChannel} (responses leave in request order),
 * {@code PendingResponse} (an answer completed later, from any thread, still in order), {@code ResponseWriter} (a
 * response that writes itself into the outbound queue, e.g. file regions), {@code RequestLimits}, the
 * {@code ControlHandler} interface every control-plane API implements, and {@code BrokerContext}, what all handlers
 * share. Used on the connection's reactor thread unless a class says otherwise. May depend on
 * {@code transport.outbound}, {@code metadata}, {@code config} and {@code runtime}, never on the handlers above it.
 */
package io.zcrx.ingest.broker.request;
