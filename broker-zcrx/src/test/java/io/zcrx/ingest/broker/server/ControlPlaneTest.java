package io.zcrx.ingest.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zcrx.ingest.broker.handler.ApiVersionTable;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class ControlPlaneTest {

    @Test
    void everyAdvertisedApiHasExactlyOneHandlerAndNothingElseDoes() {
        // Goal: clients treat every advertised API as usable, so the table and the handlers must
        // agree both ways (Produce and ApiVersions are dispatched directly).
        // In cluster mode the controller-owned APIs are advertised too; one ControlPlane serves both.
        final ControlPlane cp = new ControlPlane(null);
        for (ApiKeys api : ApiKeys.values()) {
            final boolean direct = api == ApiKeys.PRODUCE || api == ApiKeys.API_VERSIONS;
            final boolean advertised = ApiVersionTable.isImplemented(api.id, true);
            final boolean handled = cp.handler(api.id) != null;
            assertEquals(advertised && !direct, handled, api + ": advertised=" + advertised + ", handled=" + handled);
            if (ApiVersionTable.isImplemented(api.id, false)) {
                assertEquals(!direct, handled, api + ": advertised in standalone mode without a handler");
            }
        }
    }
}
