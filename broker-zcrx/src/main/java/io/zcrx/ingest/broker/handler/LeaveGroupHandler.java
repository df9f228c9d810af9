package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.group.GroupCoordinator;
import io.zcrx.ingest.broker.request.BrokerContext;
import java.util.List;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.requests.LeaveGroupResponse;

/**
 * LeaveGroup (docs/kafka-protocol-notes.md#consumer-groups): one member before v3, a batch of members (by member id or
 * static instance id) from v3.
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class LeaveGroupHandler {
    private final BrokerContext ctx;

    public LeaveGroupHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public LeaveGroupResponseData handle(LeaveGroupRequestData data, short version) {
        final List<MemberIdentity> leaving = version >= 3 ? data.members()
            : List.of(new MemberIdentity().setMemberId(data.memberId()));
        final GroupCoordinator.LeaveResult r = ctx.groups().leaveGroup(data.groupId(), leaving);
        return new LeaveGroupResponse(r.members(), r.topLevel(), 0, version).data();
    }
}
