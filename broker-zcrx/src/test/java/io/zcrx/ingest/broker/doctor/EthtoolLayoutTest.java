package io.zcrx.ingest.broker.doctor;

import io.zcrx.ingest.broker.uring.testkit.CLayoutProbe;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ethtool ioctl and netlink numbers the doctor hard-codes. Method: each constant against the uapi
 * reference value written out here (linux/ethtool.h, ethtool_netlink.h; 64-bit), and, where cc is
 * installed, the same table as _Static_asserts compiled against the system headers.
 */
class EthtoolLayoutTest {
    private final List<CLayoutProbe.Check> checks = new ArrayList<>();
    private final List<String> wrong = new ArrayList<>();

    private void check(String what, String cExpr, long java, long reference, boolean core) {
        if (java != reference) {
            wrong.add(what + ": java=" + java + ", reference=" + reference);
        }
        checks.add(new CLayoutProbe.Check(what, cExpr, java, core));
    }

    private void off(String struct, String field, long java, long reference) {
        check(struct + "." + field, "offsetof(struct " + struct + ", " + field + ")", java, reference, true);
    }

    private void build() {
        check("sizeof ifreq", "sizeof(struct ifreq)", EthtoolLayout.Ifreq.SIZE, 40, true);
        check("ifreq.ifr_data", "offsetof(struct ifreq, ifr_data)", EthtoolLayout.Ifreq.DATA_OFFSET, 16, true);
        off("ethtool_drvinfo", "driver", EthtoolLayout.Drvinfo.DRIVER_OFFSET, 4);
        check("sizeof ethtool_drvinfo", "sizeof(struct ethtool_drvinfo)", EthtoolLayout.Drvinfo.SIZE, 196, true);
        off("ethtool_channels", "max_rx", EthtoolLayout.Channels.MAX_RX_OFFSET, 4);
        off("ethtool_channels", "max_combined", EthtoolLayout.Channels.MAX_COMBINED_OFFSET, 16);
        off("ethtool_channels", "rx_count", EthtoolLayout.Channels.RX_COUNT_OFFSET, 20);
        off("ethtool_channels", "combined_count", EthtoolLayout.Channels.COMBINED_COUNT_OFFSET, 32);
        check("sizeof ethtool_channels", "sizeof(struct ethtool_channels)", EthtoolLayout.Channels.SIZE, 36, true);
        off("ethtool_rxnfc", "flow_type", EthtoolLayout.Rxnfc.FLOW_TYPE_OFFSET, 4);
        off("ethtool_rxnfc", "data", EthtoolLayout.Rxnfc.DATA_OFFSET, 8);
        off("ethtool_rxnfc", "fs", EthtoolLayout.Rxnfc.FS_OFFSET, 16);
        off("ethtool_rxnfc", "rule_cnt", EthtoolLayout.Rxnfc.RULE_CNT_OFFSET, 184);
        off("ethtool_rxnfc", "rule_locs", EthtoolLayout.Rxnfc.RULE_LOCS_OFFSET, 188);
        check("sizeof ethtool_rxnfc", "sizeof(struct ethtool_rxnfc)", EthtoolLayout.Rxnfc.SIZE, 192, true);
        off("ethtool_rx_flow_spec", "h_u", EthtoolLayout.FlowSpec.H_U_OFFSET, 4);
        off("ethtool_rx_flow_spec", "m_u", EthtoolLayout.FlowSpec.M_U_OFFSET, 76);
        off("ethtool_rx_flow_spec", "ring_cookie", EthtoolLayout.FlowSpec.RING_COOKIE_OFFSET, 152);
        off("ethtool_rx_flow_spec", "location", EthtoolLayout.FlowSpec.LOCATION_OFFSET, 160);
        check("sizeof ethtool_rx_flow_spec", "sizeof(struct ethtool_rx_flow_spec)", EthtoolLayout.FlowSpec.SIZE, 168,
            true);
        off("ethtool_tcpip4_spec", "pdst", EthtoolLayout.FlowSpec.TCP4_PDST_OFFSET, 10);
        off("ethtool_tcpip6_spec", "pdst", EthtoolLayout.FlowSpec.TCP6_PDST_OFFSET, 34);
        off("ethtool_rxfh_indir", "size", EthtoolLayout.RxfhIndir.SIZE_OFFSET, 4);
        off("ethtool_rxfh_indir", "ring_index", EthtoolLayout.RxfhIndir.RING_INDEX_OFFSET, 8);
        off("ethtool_value", "data", EthtoolLayout.Value.DATA_OFFSET, 4);
        check("SIOCETHTOOL", "SIOCETHTOOL", EthtoolLayout.SIOCETHTOOL, 0x8946, true);
        check("ETHTOOL_GDRVINFO", "ETHTOOL_GDRVINFO", EthtoolLayout.ETHTOOL_GDRVINFO, 0x3, true);
        check("ETHTOOL_GFLAGS", "ETHTOOL_GFLAGS", EthtoolLayout.ETHTOOL_GFLAGS, 0x25, true);
        check("ETHTOOL_GRXCLSRLCNT", "ETHTOOL_GRXCLSRLCNT", EthtoolLayout.ETHTOOL_GRXCLSRLCNT, 0x2e, true);
        check("ETHTOOL_GRXCLSRULE", "ETHTOOL_GRXCLSRULE", EthtoolLayout.ETHTOOL_GRXCLSRULE, 0x2f, true);
        check("ETHTOOL_GRXCLSRLALL", "ETHTOOL_GRXCLSRLALL", EthtoolLayout.ETHTOOL_GRXCLSRLALL, 0x30, true);
        check("ETHTOOL_GRXFHINDIR", "ETHTOOL_GRXFHINDIR", EthtoolLayout.ETHTOOL_GRXFHINDIR, 0x38, true);
        check("ETHTOOL_GCHANNELS", "ETHTOOL_GCHANNELS", EthtoolLayout.ETHTOOL_GCHANNELS, 0x3c, true);
        check("ETH_FLAG_NTUPLE", "ETH_FLAG_NTUPLE", EthtoolLayout.ETH_FLAG_NTUPLE, 1 << 27, true);
        check("TCP_V4_FLOW", "TCP_V4_FLOW", EthtoolLayout.TCP_V4_FLOW, 1, true);
        check("TCP_V6_FLOW", "TCP_V6_FLOW", EthtoolLayout.TCP_V6_FLOW, 5, true);
        check("FLOW_RSS", "FLOW_RSS", EthtoolLayout.FLOW_RSS, 0x20000000, true);
        check("ETHTOOL_MSG_RINGS_GET", "ETHTOOL_MSG_RINGS_GET", EthtoolLayout.ETHTOOL_MSG_RINGS_GET, 15, true);
        check("ETHTOOL_A_RINGS_HEADER", "ETHTOOL_A_RINGS_HEADER", EthtoolLayout.ETHTOOL_A_RINGS_HEADER, 1, true);
        check("ETHTOOL_A_HEADER_DEV_NAME", "ETHTOOL_A_HEADER_DEV_NAME", EthtoolLayout.ETHTOOL_A_HEADER_DEV_NAME, 2,
            true);
        check("ETHTOOL_A_RINGS_RX_MAX", "ETHTOOL_A_RINGS_RX_MAX", EthtoolLayout.ETHTOOL_A_RINGS_RX_MAX, 2, true);
        check("ETHTOOL_A_RINGS_RX", "ETHTOOL_A_RINGS_RX", EthtoolLayout.ETHTOOL_A_RINGS_RX, 6, true);
        check("ETHTOOL_A_RINGS_TCP_DATA_SPLIT", "ETHTOOL_A_RINGS_TCP_DATA_SPLIT",
            EthtoolLayout.ETHTOOL_A_RINGS_TCP_DATA_SPLIT, 11, true);
        // hds-thresh attributes are 6.13+: not in older system headers.
        check("ETHTOOL_A_RINGS_HDS_THRESH", "ETHTOOL_A_RINGS_HDS_THRESH", EthtoolLayout.ETHTOOL_A_RINGS_HDS_THRESH, 17,
            false);
        check("ETHTOOL_A_RINGS_HDS_THRESH_MAX", "ETHTOOL_A_RINGS_HDS_THRESH_MAX",
            EthtoolLayout.ETHTOOL_A_RINGS_HDS_THRESH_MAX, 18, false);
        check("ETHTOOL_TCP_DATA_SPLIT_ENABLED", "ETHTOOL_TCP_DATA_SPLIT_ENABLED",
            EthtoolLayout.ETHTOOL_TCP_DATA_SPLIT_ENABLED, 2, true);
        check("ETHTOOL_GENL_VERSION", "ETHTOOL_GENL_VERSION", EthtoolLayout.ETHTOOL_GENL_VERSION, 1, true);
        check("GENL_ID_CTRL", "GENL_ID_CTRL", EthtoolLayout.GENL_ID_CTRL, 0x10, true);
        check("CTRL_CMD_GETFAMILY", "CTRL_CMD_GETFAMILY", EthtoolLayout.CTRL_CMD_GETFAMILY, 3, true);
        check("CTRL_ATTR_FAMILY_ID", "CTRL_ATTR_FAMILY_ID", EthtoolLayout.CTRL_ATTR_FAMILY_ID, 1, true);
        check("CTRL_ATTR_FAMILY_NAME", "CTRL_ATTR_FAMILY_NAME", EthtoolLayout.CTRL_ATTR_FAMILY_NAME, 2, true);
        check("sizeof nlmsghdr", "sizeof(struct nlmsghdr)", EthtoolLayout.NLMSG_HDRLEN, 16, true);
        check("sizeof genlmsghdr", "sizeof(struct genlmsghdr)", EthtoolLayout.GENL_HDRLEN, 4, true);
        check("NLA_F_NESTED", "NLA_F_NESTED", EthtoolLayout.NLA_F_NESTED, 0x8000, true);
        check("NLMSG_ERROR", "NLMSG_ERROR", EthtoolLayout.NLMSG_ERROR, 2, true);
    }

    @Test
    void constantsMatchTheUapiReference() {
        // Goal: a wrong ethtool number fails here. Method: compare with the reference table above.
        build();
        assertTrue(wrong.isEmpty(), wrong.toString());
        assertEquals(EthtoolLayout.Rxnfc.SIZE - EthtoolLayout.Rxnfc.RULE_LOCS_OFFSET, 4,
            "rule_locs follows rule_cnt plus 4 bytes of tail padding");
    }

    @Test
    void constantsMatchTheCompiledHeaders() throws Exception {
        // Goal: the same table checked by the compiler against this machine's headers.
        build();
        assumeTrue(Files.isReadable(Path.of("/usr/include/linux/ethtool.h")), "skipped: no linux/ethtool.h");
        final String cc = CLayoutProbe.findCompiler();
        assumeTrue(cc != null, "skipped: no C compiler for the offsetof probe");
        final CLayoutProbe.Result r = CLayoutProbe.run(cc, List.of("stddef.h", "net/if.h", "linux/ethtool.h",
            "linux/sockios.h", "linux/netlink.h", "linux/genetlink.h", "linux/ethtool_netlink.h"), checks);
        System.out.println("ethtool offsetof probe: " + r.verified() + " verified by C, not in this header: "
            + r.unavailable());
        if (!r.mismatches().isEmpty()) {
            fail("C disagrees with EthtoolLayout: " + r.mismatches() + "\n" + r.compilerOutput());
        }
    }
}
