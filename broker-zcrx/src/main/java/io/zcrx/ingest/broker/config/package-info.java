/**
 * The broker's settings: {@code BrokerConfig} defines every setting with Kafka's name and default where Kafka has
 * one, validates ranges and cross-field rules with kafka-clients' {@code ConfigDef} (the validators it lacks are
 * {@code ConfigValidators}, the listener syntax {@code Endpoint}); {@code TopicConfigs} are the
 * topic-level settings we implement and their broker defaults; {@code ConfigDocs} renders docs/configuration.md
 * from those definitions. Immutable and thread-safe. Depends on {@code log-store} and {@code protocol} for the
 * settings objects they take.
 */
package io.zcrx.ingest.broker.config;
