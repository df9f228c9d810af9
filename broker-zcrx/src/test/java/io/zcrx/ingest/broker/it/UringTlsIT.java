package io.zcrx.ingest.broker.it;

/** The TLS suite with every listener on copy-mode io_uring (multishot RECV into a provided-buffer ring). */
class UringTlsIT extends AbstractTlsIT {
    @Override
    protected String transport() {
        return "uring";
    }
}
