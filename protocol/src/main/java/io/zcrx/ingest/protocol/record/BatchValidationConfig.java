package io.zcrx.ingest.protocol.record;

/**
 * The per-topic settings a batch is checked against (Kafka's topic configs of the same names).
 * Mutable so that one instance per topic can be reused; read on reactor threads, written only when
 * a topic's config changes (then replaced, not mutated, by the broker).
 */
public final class BatchValidationConfig {
    /** {@code max.message.bytes}: largest batch (whole, header included) accepted. */
    public int maxMessageBytes = 1048588;
    /** {@code message.timestamp.type}: false = CreateTime, true = LogAppendTime. */
    public boolean logAppendTime;
    /** {@code message.timestamp.before.max.ms}: how far in the past a CreateTime may be. */
    public long timestampBeforeMaxMs = Long.MAX_VALUE;
    /** {@code message.timestamp.after.max.ms}: how far in the future a CreateTime may be. */
    public long timestampAfterMaxMs = 3_600_000L;
    /**
     * {@code cleanup.policy} contains {@code compact}: every record needs a key (Kafka's
     * {@code LogValidator.validateKey}), else INVALID_RECORD.
     */
    public boolean compacted;
}
