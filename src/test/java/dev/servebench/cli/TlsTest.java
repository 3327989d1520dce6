package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https against the mock server with a self-signed certificate (made with the JDK's keytool):
 * verified by default, so an unknown issuer fails as {@code tls}; trusted with {@code --ca-cert};
 * accepted with {@code --insecure}, which the report then says.
 */
class TlsTest {

  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir static Path keys;
  @TempDir Path results;
  private static MockServer server;

  @BeforeAll
  static void startHttpsMock() throws Exception {
    Path keyStore = keys.resolve("mock.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "mock",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=servebench mock",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        "changeit");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "mock",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        "changeit",
        "-file",
        keys.resolve("ca.pem").toString());
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      store.load(in, PASSWORD);
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(store, PASSWORD);
    server =
        MockServer.start(
            MockServerConfig.builder()
                .fixedOutputTokens(3)
                .modelName("gpt2")
                .tls(SslContextBuilder.forServer(keyManagers).build())
                .build());
  }

  private static void keytool(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private Cli.Result run(String... extra) {
    String[] args = new String[extra.length + 4];
    System.arraycopy(new String[] {"--input-len-mean", "8", "--num-prompts", "3"}, 0, args, 0, 4);
    System.arraycopy(extra, 0, args, 4, extra.length);
    return Cli.runSynthetic(server.baseUrl(), results, args);
  }

  @Test
  void anUntrustedCertificateIsFoundBeforeTheRunInPlainWords() {
    assertThat(server.baseUrl()).startsWith("https://");
    long servedBefore = server.requestsServed();
    Cli.Result result = run();
    // Exit 4, as for an endpoint that cannot be reached: nothing was sent.
    assertThat(result.exitCode()).as(result.err()).isEqualTo(4);
    assertThat(result.err())
        .contains("presents a certificate this machine does not trust")
        .contains(server.baseUrl())
        .contains("--ca-cert FILE")
        .contains("--insecure")
        .doesNotContain("SunCertPathBuilderException");
    assertThat(server.requestsServed()).isEqualTo(servedBefore);
    assertThat(results).isEmptyDirectory();
  }

  @Test
  void aCaBundleMakesItTrusted() {
    Cli.Result result = run("--ca-cert", keys.resolve("ca.pem").toString());
    assertThat(result.exitCode()).as(result.out()).isZero();
    assertThat(result.out()).doesNotContain("NOT verified");
  }

  @Test
  void insecureAcceptsItAndSaysSo() {
    Cli.Result result = run("--insecure");
    assertThat(result.exitCode()).as(result.out()).isZero();
    assertThat(result.out()).contains("TLS certificates:").contains("NOT verified (--insecure)");
    JsonNode configuration = Cli.json(Cli.onlyFile(results, "-summary.json")).path("configuration");
    assertThat(configuration.path("insecure_tls").asBoolean()).isTrue();
  }

  @Test
  void insecureAndACaBundleContradictEachOther() {
    Cli.Result result = run("--insecure", "--ca-cert", keys.resolve("ca.pem").toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--insecure").contains("--ca-cert");
  }
}
