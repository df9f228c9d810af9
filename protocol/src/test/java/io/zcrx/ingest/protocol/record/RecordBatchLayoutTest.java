package io.zcrx.ingest.protocol.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.junit.jupiter.api.Test;

class RecordBatchLayoutTest {

    // Goal: every offset and length we hard-code equals kafka-clients' own. Method: read
    // DefaultRecordBatch's constants (most are package-private, so through reflection) by name.
    @Test
    void offsetsAndLengthsMatchDefaultRecordBatch() throws Exception {
        assertEquals(kafka("BASE_OFFSET_OFFSET"), RecordBatchLayout.BASE_OFFSET_OFFSET);
        assertEquals(kafka("BASE_OFFSET_LENGTH"), RecordBatchLayout.BASE_OFFSET_LENGTH);
        assertEquals(kafka("LENGTH_OFFSET"), RecordBatchLayout.BATCH_LENGTH_OFFSET);
        assertEquals(kafka("LENGTH_LENGTH"), RecordBatchLayout.BATCH_LENGTH_LENGTH);
        assertEquals(kafka("PARTITION_LEADER_EPOCH_OFFSET"), RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET);
        assertEquals(kafka("PARTITION_LEADER_EPOCH_LENGTH"), RecordBatchLayout.PARTITION_LEADER_EPOCH_LENGTH);
        assertEquals(kafka("MAGIC_OFFSET"), RecordBatchLayout.MAGIC_OFFSET);
        assertEquals(kafka("MAGIC_LENGTH"), RecordBatchLayout.MAGIC_LENGTH);
        assertEquals(kafka("CRC_OFFSET"), RecordBatchLayout.CRC_OFFSET);
        assertEquals(kafka("CRC_LENGTH"), RecordBatchLayout.CRC_LENGTH);
        assertEquals(kafka("ATTRIBUTES_OFFSET"), RecordBatchLayout.ATTRIBUTES_OFFSET);
        assertEquals(kafka("ATTRIBUTE_LENGTH"), RecordBatchLayout.ATTRIBUTES_LENGTH);
        assertEquals(kafka("LAST_OFFSET_DELTA_OFFSET"), RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
        assertEquals(kafka("LAST_OFFSET_DELTA_LENGTH"), RecordBatchLayout.LAST_OFFSET_DELTA_LENGTH);
        assertEquals(kafka("BASE_TIMESTAMP_OFFSET"), RecordBatchLayout.BASE_TIMESTAMP_OFFSET);
        assertEquals(kafka("BASE_TIMESTAMP_LENGTH"), RecordBatchLayout.BASE_TIMESTAMP_LENGTH);
        assertEquals(kafka("MAX_TIMESTAMP_OFFSET"), RecordBatchLayout.MAX_TIMESTAMP_OFFSET);
        assertEquals(kafka("MAX_TIMESTAMP_LENGTH"), RecordBatchLayout.MAX_TIMESTAMP_LENGTH);
        assertEquals(kafka("PRODUCER_ID_OFFSET"), RecordBatchLayout.PRODUCER_ID_OFFSET);
        assertEquals(kafka("PRODUCER_ID_LENGTH"), RecordBatchLayout.PRODUCER_ID_LENGTH);
        assertEquals(kafka("PRODUCER_EPOCH_OFFSET"), RecordBatchLayout.PRODUCER_EPOCH_OFFSET);
        assertEquals(kafka("PRODUCER_EPOCH_LENGTH"), RecordBatchLayout.PRODUCER_EPOCH_LENGTH);
        assertEquals(kafka("BASE_SEQUENCE_OFFSET"), RecordBatchLayout.BASE_SEQUENCE_OFFSET);
        assertEquals(kafka("BASE_SEQUENCE_LENGTH"), RecordBatchLayout.BASE_SEQUENCE_LENGTH);
        assertEquals(kafka("RECORDS_COUNT_OFFSET"), RecordBatchLayout.RECORDS_COUNT_OFFSET);
        assertEquals(kafka("RECORDS_COUNT_LENGTH"), RecordBatchLayout.RECORDS_COUNT_LENGTH);
        assertEquals(kafka("RECORDS_OFFSET"), RecordBatchLayout.RECORDS_OFFSET);
        assertEquals(DefaultRecordBatch.RECORD_BATCH_OVERHEAD, RecordBatchLayout.RECORD_BATCH_OVERHEAD);
        assertEquals(61, RecordBatchLayout.RECORD_BATCH_OVERHEAD);
        assertEquals(Records.LOG_OVERHEAD, RecordBatchLayout.LOG_OVERHEAD);
        assertEquals(kafka("ATTRIBUTES_OFFSET"), RecordBatchLayout.CRC_COVERED_OFFSET);
    }

    // Goal: attribute masks, codec ids and "no producer" sentinels match kafka-clients. Method:
    // compare with DefaultRecordBatch's private masks and the public enums/constants.
    @Test
    void attributeBitsAndSentinelsMatchKafka() throws Exception {
        assertEquals(kafka("COMPRESSION_CODEC_MASK"), RecordBatchLayout.COMPRESSION_CODEC_MASK);
        assertEquals(kafka("TIMESTAMP_TYPE_MASK"), RecordBatchLayout.TIMESTAMP_TYPE_MASK);
        assertEquals(kafka("TRANSACTIONAL_FLAG_MASK"), RecordBatchLayout.TRANSACTIONAL_FLAG_MASK);
        assertEquals(kafka("CONTROL_FLAG_MASK"), RecordBatchLayout.CONTROL_FLAG_MASK);
        assertEquals(kafka("DELETE_HORIZON_FLAG_MASK"), RecordBatchLayout.DELETE_HORIZON_FLAG_MASK);
        assertEquals(CompressionType.NONE.id, RecordBatchLayout.CODEC_NONE);
        assertEquals(CompressionType.GZIP.id, RecordBatchLayout.CODEC_GZIP);
        assertEquals(CompressionType.SNAPPY.id, RecordBatchLayout.CODEC_SNAPPY);
        assertEquals(CompressionType.LZ4.id, RecordBatchLayout.CODEC_LZ4);
        assertEquals(CompressionType.ZSTD.id, RecordBatchLayout.CODEC_ZSTD);
        assertEquals(RecordBatch.MAGIC_VALUE_V2, RecordBatchLayout.MAGIC_V2);
        assertEquals(RecordBatch.NO_PRODUCER_ID, RecordBatchLayout.NO_PRODUCER_ID);
        assertEquals(RecordBatch.NO_PRODUCER_EPOCH, RecordBatchLayout.NO_PRODUCER_EPOCH);
        assertEquals(RecordBatch.NO_SEQUENCE, RecordBatchLayout.NO_SEQUENCE);
        assertEquals(RecordBatch.NO_TIMESTAMP, RecordBatchLayout.NO_TIMESTAMP);
        assertEquals(1, TimestampType.LOG_APPEND_TIME.id);
    }

    private static int kafka(String name) throws Exception {
        final Field f = DefaultRecordBatch.class.getDeclaredField(name);
        f.setAccessible(true);
        return ((Number) f.get(null)).intValue();
    }
}
