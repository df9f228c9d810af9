/**
 * Cuts a connection's byte stream into Kafka request frames without copying them: {@code FrameAssembler} is a
 * resumable state machine over the size prefix that turns the chunks of one connection into {@code Frame}s, each a
 * list of slices of those chunks holding one chunk reference per slice until the frame is closed, and hands them to
 * a {@code FrameSink}. Frame objects are pooled per assembler; a bad size prefix fails the assembler for good.
 * Depends only on {@code protocol.bytes}; one assembler per connection, used on its reactor thread.
 */
package io.zcrx.ingest.protocol.frame;
