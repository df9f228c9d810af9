package io.zcrx.ingest.broker.doctor;

/**
 * Layouts and constants of the ethtool ioctl ({@code SIOCETHTOOL}) and ethtool generic-netlink structs the
 * doctor reads ({@code linux/ethtool.h}, {@code linux/ethtool_netlink.h}, {@code linux/netlink.h},
 * {@code linux/genetlink.h}, {@code net/if.h}); 64-bit Linux, native byte order. Checked by
 * {@code EthtoolLayoutTest} against the reference numbers and a compiled {@code offsetof} probe.
 */
public final class EthtoolLayout {
    private EthtoolLayout() {
    }

    /** sockios.h */
    public static final int SIOCETHTOOL = 0x8946;

    // ---- ethtool commands (ethtool.h) ----
    public static final int ETHTOOL_GDRVINFO = 0x3;
    public static final int ETHTOOL_GFLAGS = 0x25;
    public static final int ETHTOOL_GRXRINGS = 0x2d;
    public static final int ETHTOOL_GRXCLSRLCNT = 0x2e;
    public static final int ETHTOOL_GRXCLSRULE = 0x2f;
    public static final int ETHTOOL_GRXCLSRLALL = 0x30;
    public static final int ETHTOOL_GRXFHINDIR = 0x38;
    public static final int ETHTOOL_GCHANNELS = 0x3c;
    /** ETH_FLAG_NTUPLE in ETHTOOL_GFLAGS data: n-tuple filters enabled. */
    public static final int ETH_FLAG_NTUPLE = 1 << 27;
    public static final int TCP_V4_FLOW = 0x01;
    public static final int TCP_V6_FLOW = 0x05;
    /** FLOW_EXT | FLOW_MAC_EXT | FLOW_RSS: modifier bits on top of the flow type. */
    public static final int FLOW_TYPE_MODIFIERS = 0x80000000 | 0x40000000 | 0x20000000;
    public static final int FLOW_RSS = 0x20000000;
    /** ring_cookie meaning "drop". */
    public static final long RX_CLS_FLOW_DISC = -1L;
    /** ETHTOOL_RX_FLOW_SPEC_RING: the queue part of ring_cookie. */
    public static final long ETHTOOL_RX_FLOW_SPEC_RING = 0xFFFFFFFFL;

    /** {@code struct ifreq} (40 bytes): name, then the {@code ifr_data} pointer. */
    public static final class Ifreq {
        public static final int NAME_OFFSET = 0;
        public static final int NAME_LENGTH = 16;
        public static final int DATA_OFFSET = NAME_OFFSET + NAME_LENGTH;
        public static final int DATA_LENGTH = 8;
        public static final int SIZE = 40;

        private Ifreq() {
        }
    }

    /** {@code struct ethtool_drvinfo} (196 bytes). */
    public static final class Drvinfo {
        public static final int CMD_OFFSET = 0;
        public static final int CMD_LENGTH = 4;
        public static final int DRIVER_OFFSET = CMD_OFFSET + CMD_LENGTH;
        public static final int DRIVER_LENGTH = 32;
        public static final int SIZE = 196;

        private Drvinfo() {
        }
    }

    /** {@code struct ethtool_channels} (36 bytes): nine u32. */
    public static final class Channels {
        public static final int CMD_OFFSET = 0;
        public static final int MAX_RX_OFFSET = CMD_OFFSET + 4;
        public static final int MAX_TX_OFFSET = MAX_RX_OFFSET + 4;
        public static final int MAX_OTHER_OFFSET = MAX_TX_OFFSET + 4;
        public static final int MAX_COMBINED_OFFSET = MAX_OTHER_OFFSET + 4;
        public static final int RX_COUNT_OFFSET = MAX_COMBINED_OFFSET + 4;
        public static final int TX_COUNT_OFFSET = RX_COUNT_OFFSET + 4;
        public static final int OTHER_COUNT_OFFSET = TX_COUNT_OFFSET + 4;
        public static final int COMBINED_COUNT_OFFSET = OTHER_COUNT_OFFSET + 4;
        public static final int FIELD_LENGTH = 4;
        public static final int SIZE = COMBINED_COUNT_OFFSET + FIELD_LENGTH;

        private Channels() {
        }
    }

    /** {@code struct ethtool_rx_flow_spec} (168 bytes) and the TCP specs in its {@code h_u} union. */
    public static final class FlowSpec {
        public static final int FLOW_TYPE_OFFSET = 0;
        public static final int FLOW_TYPE_LENGTH = 4;
        public static final int H_U_OFFSET = FLOW_TYPE_OFFSET + FLOW_TYPE_LENGTH;
        public static final int H_U_LENGTH = 52;
        public static final int H_EXT_OFFSET = H_U_OFFSET + H_U_LENGTH;
        public static final int H_EXT_LENGTH = 20;
        public static final int M_U_OFFSET = H_EXT_OFFSET + H_EXT_LENGTH;
        public static final int M_U_LENGTH = 52;
        public static final int M_EXT_OFFSET = M_U_OFFSET + M_U_LENGTH;
        public static final int M_EXT_LENGTH = 20;
        /** u64, 8-aligned: 4 bytes of padding after m_ext. */
        public static final int RING_COOKIE_OFFSET = M_EXT_OFFSET + M_EXT_LENGTH + 4;
        public static final int RING_COOKIE_LENGTH = 8;
        public static final int LOCATION_OFFSET = RING_COOKIE_OFFSET + RING_COOKIE_LENGTH;
        public static final int LOCATION_LENGTH = 4;
        public static final int SIZE = LOCATION_OFFSET + LOCATION_LENGTH + 4;

        /** {@code struct ethtool_tcpip4_spec}: destination port (big-endian u16). */
        public static final int TCP4_PDST_OFFSET = 10;
        /** {@code struct ethtool_tcpip6_spec}: destination port (big-endian u16). */
        public static final int TCP6_PDST_OFFSET = 34;
        public static final int PORT_LENGTH = 2;

        private FlowSpec() {
        }
    }

    /** {@code struct ethtool_rxnfc} (192 bytes + rule_locs[]). */
    public static final class Rxnfc {
        public static final int CMD_OFFSET = 0;
        public static final int CMD_LENGTH = 4;
        public static final int FLOW_TYPE_OFFSET = CMD_OFFSET + CMD_LENGTH;
        public static final int FLOW_TYPE_LENGTH = 4;
        public static final int DATA_OFFSET = FLOW_TYPE_OFFSET + FLOW_TYPE_LENGTH;
        public static final int DATA_LENGTH = 8;
        public static final int FS_OFFSET = DATA_OFFSET + DATA_LENGTH;
        public static final int FS_LENGTH = FlowSpec.SIZE;
        public static final int RULE_CNT_OFFSET = FS_OFFSET + FS_LENGTH;
        public static final int RULE_CNT_LENGTH = 4;
        public static final int RULE_LOCS_OFFSET = RULE_CNT_OFFSET + RULE_CNT_LENGTH;
        public static final int SIZE = 192;

        private Rxnfc() {
        }
    }

    /** {@code struct ethtool_rxfh_indir} (8 bytes + ring_index[size]). */
    public static final class RxfhIndir {
        public static final int CMD_OFFSET = 0;
        public static final int SIZE_OFFSET = CMD_OFFSET + 4;
        public static final int RING_INDEX_OFFSET = SIZE_OFFSET + 4;
        public static final int SIZE = RING_INDEX_OFFSET;

        private RxfhIndir() {
        }
    }

    /** {@code struct ethtool_value} (8 bytes). */
    public static final class Value {
        public static final int CMD_OFFSET = 0;
        public static final int DATA_OFFSET = CMD_OFFSET + 4;
        public static final int SIZE = DATA_OFFSET + 4;

        private Value() {
        }
    }

    // ---- netlink / generic netlink / ethtool netlink ----
    public static final int AF_NETLINK = 16;
    public static final int NETLINK_GENERIC = 16;
    public static final int NLMSG_HDRLEN = 16;
    public static final int GENL_HDRLEN = 4;
    public static final int NLA_HDRLEN = 4;
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLMSG_ERROR = 0x2;
    public static final int NLMSG_DONE = 0x3;
    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_TYPE_MASK = 0x3FFF;
    public static final int GENL_ID_CTRL = 0x10;
    public static final int CTRL_CMD_GETFAMILY = 3;
    public static final int CTRL_ATTR_FAMILY_ID = 1;
    public static final int CTRL_ATTR_FAMILY_NAME = 2;
    public static final int ETHTOOL_GENL_VERSION = 1;
    public static final int ETHTOOL_MSG_RINGS_GET = 15;
    public static final int ETHTOOL_A_HEADER_DEV_NAME = 2;
    public static final int ETHTOOL_A_RINGS_HEADER = 1;
    public static final int ETHTOOL_A_RINGS_RX_MAX = 2;
    public static final int ETHTOOL_A_RINGS_RX = 6;
    /** u8: 0 unknown (then usually absent), 1 disabled, 2 enabled. */
    public static final int ETHTOOL_A_RINGS_TCP_DATA_SPLIT = 11;
    /** u32, 6.13+: reported only by drivers that support setting it. */
    public static final int ETHTOOL_A_RINGS_HDS_THRESH = 17;
    public static final int ETHTOOL_A_RINGS_HDS_THRESH_MAX = 18;
    public static final int ETHTOOL_TCP_DATA_SPLIT_DISABLED = 1;
    public static final int ETHTOOL_TCP_DATA_SPLIT_ENABLED = 2;
}
