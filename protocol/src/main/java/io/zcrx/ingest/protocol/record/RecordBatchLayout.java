package io.zcrx.ingest.protocol.record;

/**
 * Byte layout of a record batch, magic 2 (docs/kafka-protocol-notes.md#record-batch-v2; Kafka's
 * {@code DefaultRecordBatch}). Each offset is built from the previous one plus its length;
 * {@code RecordBatchLayoutTest} checks them against kafka-clients' own constants.
 *
 * <pre>
 *   0  baseOffset            INT64   broker writes the first assigned offset
 *   8  batchLength           INT32   bytes after this field
 *  12  partitionLeaderEpoch  INT32   broker writes the leader epoch
 *  16  magic                 INT8    2
 *  17  crc                   UINT32  CRC-32C of bytes [21, end)
 *  21  attributes            INT16   codec bits 0-2, timestamp type bit 3, transactional bit 4, control bit 5
 *  23  lastOffsetDelta       INT32
 *  27  baseTimestamp         INT64
 *  35  maxTimestamp          INT64
 *  43  producerId            INT64
 *  51  producerEpoch         INT16
 *  53  baseSequence          INT32
 *  57  recordsCount          INT32
 *  61  records ...
 * </pre>
 */
public final class RecordBatchLayout {
    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int BASE_OFFSET_LENGTH = 8;
    public static final int BATCH_LENGTH_OFFSET = BASE_OFFSET_OFFSET + BASE_OFFSET_LENGTH;
    public static final int BATCH_LENGTH_LENGTH = 4;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = BATCH_LENGTH_OFFSET + BATCH_LENGTH_LENGTH;
    public static final int PARTITION_LEADER_EPOCH_LENGTH = 4;
    public static final int MAGIC_OFFSET = PARTITION_LEADER_EPOCH_OFFSET + PARTITION_LEADER_EPOCH_LENGTH;
    public static final int MAGIC_LENGTH = 1;
    public static final int CRC_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int CRC_LENGTH = 4;
    public static final int ATTRIBUTES_OFFSET = CRC_OFFSET + CRC_LENGTH;
    public static final int ATTRIBUTES_LENGTH = 2;
    public static final int LAST_OFFSET_DELTA_OFFSET = ATTRIBUTES_OFFSET + ATTRIBUTES_LENGTH;
    public static final int LAST_OFFSET_DELTA_LENGTH = 4;
    public static final int BASE_TIMESTAMP_OFFSET = LAST_OFFSET_DELTA_OFFSET + LAST_OFFSET_DELTA_LENGTH;
    public static final int BASE_TIMESTAMP_LENGTH = 8;
    public static final int MAX_TIMESTAMP_OFFSET = BASE_TIMESTAMP_OFFSET + BASE_TIMESTAMP_LENGTH;
    public static final int MAX_TIMESTAMP_LENGTH = 8;
    public static final int PRODUCER_ID_OFFSET = MAX_TIMESTAMP_OFFSET + MAX_TIMESTAMP_LENGTH;
    public static final int PRODUCER_ID_LENGTH = 8;
    public static final int PRODUCER_EPOCH_OFFSET = PRODUCER_ID_OFFSET + PRODUCER_ID_LENGTH;
    public static final int PRODUCER_EPOCH_LENGTH = 2;
    public static final int BASE_SEQUENCE_OFFSET = PRODUCER_EPOCH_OFFSET + PRODUCER_EPOCH_LENGTH;
    public static final int BASE_SEQUENCE_LENGTH = 4;
    public static final int RECORDS_COUNT_OFFSET = BASE_SEQUENCE_OFFSET + BASE_SEQUENCE_LENGTH;
    public static final int RECORDS_COUNT_LENGTH = 4;
    public static final int RECORDS_OFFSET = RECORDS_COUNT_OFFSET + RECORDS_COUNT_LENGTH;

    /** Size of the batch header: everything before the first record (61). */
    public static final int RECORD_BATCH_OVERHEAD = RECORDS_OFFSET;
    /** baseOffset + batchLength: the log-entry overhead shared with legacy formats (12). */
    public static final int LOG_OVERHEAD = BATCH_LENGTH_OFFSET + BATCH_LENGTH_LENGTH;
    /** The CRC covers [ATTRIBUTES_OFFSET, end of batch). */
    public static final int CRC_COVERED_OFFSET = ATTRIBUTES_OFFSET;

    public static final byte MAGIC_V2 = 2;

    public static final int COMPRESSION_CODEC_MASK = 0x07;
    public static final int TIMESTAMP_TYPE_MASK = 0x08;
    public static final int TRANSACTIONAL_FLAG_MASK = 0x10;
    public static final int CONTROL_FLAG_MASK = 0x20;
    public static final int DELETE_HORIZON_FLAG_MASK = 0x40;

    public static final int CODEC_NONE = 0;
    public static final int CODEC_GZIP = 1;
    public static final int CODEC_SNAPPY = 2;
    public static final int CODEC_LZ4 = 3;
    public static final int CODEC_ZSTD = 4;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final long NO_TIMESTAMP = -1L;

    private RecordBatchLayout() {
    }
}
