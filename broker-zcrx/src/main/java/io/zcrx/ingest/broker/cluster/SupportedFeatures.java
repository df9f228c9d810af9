package io.zcrx.ingest.broker.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.feature.SupportedVersionRange;
import org.apache.kafka.metadata.VersionRange;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * The feature levels this broker implements, advertised at registration (the controller refuses a
 * broker whose range misses a finalized level, and never finalizes a level outside every broker's
 * range), and the check of the levels the cluster finalized. Registering claims support for every
 * level in the range, so the ranges are what this broker really does, never what would get it in:
 *
 * <ul>
 *   <li>{@code metadata.version}: Kafka's minimum (3.3-IV3) to the newest production version of the
 *       Kafka libraries that read the metadata log here;</li>
 *   <li>{@code kraft.version}: what the Raft client supports;</li>
 *   <li>level 0 only of {@code group.version} (no KIP-848 consumer groups), {@code transaction.version}
 *       (no transactions), {@code share.version} (no share groups), {@code streams.version} (no KIP-1071
 *       streams groups) and {@code eligible.leader.replicas.version} (no ELR).</li>
 * </ul>
 *
 * <p>Immutable; thread-safe.
 */
final class SupportedFeatures {
    /** What a controller needs to be formatted with for this broker to join (Kafka's kafka-storage arguments). */
    static final String COMPATIBLE_FORMAT = "kafka-storage format --release-version "
        + MetadataVersion.LATEST_PRODUCTION.version() + " --feature group.version=0 --feature transaction.version=0"
        + " --feature share.version=0 --feature streams.version=0 --feature eligible.leader.replicas.version=0";

    private SupportedFeatures() {
    }

    /** Feature name to the range this broker supports, as sent in BrokerRegistration. */
    static Map<String, VersionRange> ranges() {
        final Map<String, VersionRange> m = new LinkedHashMap<>();
        m.put(MetadataVersion.FEATURE_NAME, VersionRange.of(MetadataVersion.MINIMUM_VERSION.featureLevel(),
            MetadataVersion.LATEST_PRODUCTION.featureLevel()));
        final SupportedVersionRange kraft = Feature.KRAFT_VERSION.supportedVersionRange();
        m.put(Feature.KRAFT_VERSION.featureName(), VersionRange.of(kraft.min(), kraft.max()));
        for (Feature f : new Feature[] {Feature.GROUP_VERSION, Feature.TRANSACTION_VERSION, Feature.SHARE_VERSION,
            Feature.STREAMS_VERSION, Feature.ELIGIBLE_LEADER_REPLICAS_VERSION}) {
            m.put(f.featureName(), VersionRange.of((short) 0, (short) 0));
        }
        return m;
    }

    /**
     * Null when every finalized level lies in our ranges; else why not, with the fix. A feature we do
     * not know is unsupported at every level above 0 (level 0 means "off").
     */
    static String incompatibility(Map<String, Short> finalized) {
        final Map<String, VersionRange> ours = ranges();
        for (Map.Entry<String, Short> e : finalized.entrySet()) {
            final short level = e.getValue();
            final VersionRange range = ours.get(e.getKey());
            final boolean ok = range == null ? level == 0 : range.contains(level);
            if (!ok) {
                return describe(e.getKey(), level, range);
            }
        }
        return null;
    }

    static String describe(String feature, short level, VersionRange range) {
        final String ourRange = range == null ? "none (0 only)" : "[" + range.min() + ", " + range.max() + "]";
        final String named = MetadataVersion.FEATURE_NAME.equals(feature) ? " (" + levelName(level) + ")" : "";
        return "the cluster finalized feature " + feature + " at level " + level + named
            + ", outside what this broker implements: " + feature + " " + ourRange + ". Run the controllers on a "
            + "cluster formatted with features this broker supports: " + COMPATIBLE_FORMAT;
    }

    /**
     * True when Kafka's metadata loader failed on a {@code metadata.version} level its libraries do
     * not know (a cluster newer than them): it fails on the FeatureLevelRecord before any publisher
     * sees the level.
     */
    static boolean isUnreadableMetadataVersion(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException && t.getMessage() != null
                && t.getMessage().startsWith("Unsupported metadata version")) {
                return true;
            }
        }
        return false;
    }

    /** The message for {@link #isUnreadableMetadataVersion}. */
    static String unreadableMetadataVersion() {
        final VersionRange range = ranges().get(MetadataVersion.FEATURE_NAME);
        return "the cluster finalized feature " + MetadataVersion.FEATURE_NAME + " at a level above "
            + range.max() + " (" + MetadataVersion.LATEST_PRODUCTION.version()
            + "), newer than this broker's Kafka libraries can read, outside what this broker implements: "
            + MetadataVersion.FEATURE_NAME + " ["
            + range.min() + ", " + range.max() + "]. Run the controllers on a cluster formatted with features this "
            + "broker supports: " + COMPATIBLE_FORMAT;
    }

    private static String levelName(short level) {
        try {
            return MetadataVersion.fromFeatureLevel(level).version();
        } catch (IllegalArgumentException e) {
            return "unknown to these Kafka libraries";
        }
    }
}
