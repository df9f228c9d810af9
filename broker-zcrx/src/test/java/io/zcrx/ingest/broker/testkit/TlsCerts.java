package io.zcrx.ingest.broker.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away PKI for TLS tests, made with the JDK's own {@code keytool} (no extra dependency, and the same tool
 * Kafka's documentation uses): a CA, a broker certificate for {@code localhost} / {@code 127.0.0.1} and a client
 * certificate, each signed by the CA, in PKCS12 files, plus a PKCS12 truststore holding the CA. EC P-256 keys, so
 * generation takes a second or two. Every file uses {@link #PASSWORD}.
 *
 * @param dir        where the files are
 * @param truststore the CA only
 * @param broker     the broker's key and chain (subject {@link #BROKER_DN})
 * @param client     a client's key and chain (subject {@link #CLIENT_DN})
 * @param caPem      the CA certificate, PEM (for kcat / librdkafka)
 */
public record TlsCerts(Path dir, Path truststore, Path broker, Path client, Path caPem) {
    public static final String PASSWORD = "test-secret";
    public static final String BROKER_DN = "CN=localhost,OU=broker,O=zcrx";
    public static final String CLIENT_DN = "CN=client-one,OU=test,O=zcrx";

    /** Generates the files under {@code dir}. */
    public static TlsCerts generate(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        final Path ca = dir.resolve("ca.p12");
        final Path caPem = dir.resolve("ca.pem");
        keytool(dir, "-genkeypair", "-alias", "ca", "-dname", "CN=zcrx-test-ca", "-keyalg", "EC", "-groupname",
            "secp256r1", "-ext", "bc:c", "-validity", "3", "-storetype", "PKCS12", "-keystore", ca.toString());
        keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caPem.toString());
        final Path truststore = dir.resolve("truststore.p12");
        keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-storetype", "PKCS12",
            "-keystore", truststore.toString());
        final Path broker = signed(dir, ca, caPem, "broker", BROKER_DN, "SAN=dns:localhost,ip:127.0.0.1");
        final Path client = signed(dir, ca, caPem, "client", CLIENT_DN, null);
        return new TlsCerts(dir, truststore, broker, client, caPem);
    }

    private static Path signed(Path dir, Path ca, Path caPem, String name, String dn, String san)
            throws IOException, InterruptedException {
        final Path store = dir.resolve(name + ".p12");
        final Path csr = dir.resolve(name + ".csr");
        final Path pem = dir.resolve(name + ".pem");
        keytool(dir, "-genkeypair", "-alias", name, "-dname", dn, "-keyalg", "EC", "-groupname", "secp256r1",
            "-validity", "3", "-storetype", "PKCS12", "-keystore", store.toString());
        keytool(dir, "-certreq", "-alias", name, "-keystore", store.toString(), "-file", csr.toString());
        final List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore",
            ca.toString(), "-infile", csr.toString(), "-outfile", pem.toString(), "-validity", "3"));
        if (san != null) {
            gencert.add("-ext");
            gencert.add(san);
        }
        keytool(dir, gencert.toArray(new String[0]));
        keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore",
            store.toString());
        keytool(dir, "-importcert", "-alias", name, "-file", pem.toString(), "-keystore", store.toString());
        return store;
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short-lived JVM per call: C1 only starts faster.
        cmd.add("-J-XX:TieredStopAtLevel=1");
        cmd.addAll(Arrays.asList(args));
        cmd.add("-storepass");
        cmd.add(PASSWORD);
        final Path log = dir.resolve("keytool.log");
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool failed: " + String.join(" ", args) + ": "
                + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    /**
     * A client-side TLS context that trusts this CA, with the client certificate ({@link #client}) when
     * {@code withCertificate} (mutual TLS), without one otherwise.
     */
    public SSLContext clientContext(boolean withCertificate) throws IOException, GeneralSecurityException {
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            trust.load(in, PASSWORD.toCharArray());
        }
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withCertificate) {
            final KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(client)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD.toCharArray());
        }
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
