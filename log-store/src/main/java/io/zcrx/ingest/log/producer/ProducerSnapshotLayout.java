package io.zcrx.ingest.log.producer;

/**
 * Byte layout of a {@code .snapshot} file, version 1 (docs/kafka-protocol-notes.md#producer-snapshots; Kafka's
 * {@code storage/src/main/resources/message/ProducerSnapshot.json}, a non-flexible message written
 * with its version as a prefix, as {@code ProducerStateManager.writeSnapshot} does). All big-endian.
 * {@code ProducerSnapshotFileTest} checks it against Kafka's own reader and writer.
 *
 * <pre>
 *   file:
 *     0  version         INT16   1
 *     2  crc             UINT32  CRC-32C of bytes [6, end)
 *     6  entryCount      INT32   number of entries (a non-flexible array length)
 *    10  entries         entryCount x 46 bytes
 *
 *   entry:
 *     0  producerId             INT64
 *     8  epoch                  INT16
 *    10  lastSequence           INT32   -1 if the producer has no batch
 *    14  lastOffset             INT64   -1 if the producer has no batch
 *    22  offsetDelta            INT32   lastOffset - firstOffset of that batch
 *    26  timestamp              INT64   max timestamp of the last batch
 *    34  coordinatorEpoch       INT32   -1 (no transactions)
 *    38  currentTxnFirstOffset  INT64   -1 (no open transaction)
 *    46  (entry length)
 * </pre>
 */
public final class ProducerSnapshotLayout {
    public static final short VERSION = 1;

    public static final int VERSION_OFFSET = 0;
    public static final int VERSION_LENGTH = 2;
    public static final int CRC_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    public static final int CRC_LENGTH = 4;
    public static final int ENTRY_COUNT_OFFSET = CRC_OFFSET + CRC_LENGTH;
    public static final int ENTRY_COUNT_LENGTH = 4;
    public static final int ENTRIES_OFFSET = ENTRY_COUNT_OFFSET + ENTRY_COUNT_LENGTH;
    /** The CRC covers [CRC_COVERED_OFFSET, end of file). */
    public static final int CRC_COVERED_OFFSET = ENTRY_COUNT_OFFSET;

    public static final int PRODUCER_ID_OFFSET = 0;
    public static final int PRODUCER_ID_LENGTH = 8;
    public static final int EPOCH_OFFSET = PRODUCER_ID_OFFSET + PRODUCER_ID_LENGTH;
    public static final int EPOCH_LENGTH = 2;
    public static final int LAST_SEQUENCE_OFFSET = EPOCH_OFFSET + EPOCH_LENGTH;
    public static final int LAST_SEQUENCE_LENGTH = 4;
    public static final int LAST_OFFSET_OFFSET = LAST_SEQUENCE_OFFSET + LAST_SEQUENCE_LENGTH;
    public static final int LAST_OFFSET_LENGTH = 8;
    public static final int OFFSET_DELTA_OFFSET = LAST_OFFSET_OFFSET + LAST_OFFSET_LENGTH;
    public static final int OFFSET_DELTA_LENGTH = 4;
    public static final int TIMESTAMP_OFFSET = OFFSET_DELTA_OFFSET + OFFSET_DELTA_LENGTH;
    public static final int TIMESTAMP_LENGTH = 8;
    public static final int COORDINATOR_EPOCH_OFFSET = TIMESTAMP_OFFSET + TIMESTAMP_LENGTH;
    public static final int COORDINATOR_EPOCH_LENGTH = 4;
    public static final int CURRENT_TXN_FIRST_OFFSET_OFFSET = COORDINATOR_EPOCH_OFFSET + COORDINATOR_EPOCH_LENGTH;
    public static final int CURRENT_TXN_FIRST_OFFSET_LENGTH = 8;
    public static final int ENTRY_LENGTH = CURRENT_TXN_FIRST_OFFSET_OFFSET + CURRENT_TXN_FIRST_OFFSET_LENGTH;

    private ProducerSnapshotLayout() {
    }
}
