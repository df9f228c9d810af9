/**
 * The broker's entry point: {@code Main} reads {@code server.properties} and {@code --override} settings, starts a
 * {@code server.Broker} in the foreground the way {@code kafka-server-start.sh} does, and shuts it down cleanly
 * from a shutdown hook on SIGTERM or SIGINT. It runs on the JVM's main thread and may use {@code server} and
 * {@code config}; nothing in the broker depends on it.
 */
package io.zcrx.ingest.broker;
