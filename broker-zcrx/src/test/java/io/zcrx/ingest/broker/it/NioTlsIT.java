package io.zcrx.ingest.broker.it;

/** The TLS suite with every listener on the NIO transport. */
class NioTlsIT extends AbstractTlsIT {
    @Override
    protected String transport() {
        return "nio";
    }
}
