package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.run.SelfSignedTls;
import dev.servebench.testing.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https against the mock server with a self-signed certificate (made with the JDK's keytool, by
 * SelfSignedTls): verified by default, so an unknown issuer fails as {@code tls}; trusted with
 * {@code --ca-cert}; accepted with {@code --insecure}, which the report then says.
 */
class TlsTest {

  @TempDir static Path keys;
  @TempDir Path results;
  private static MockServer server;
  private static SelfSignedTls certificate;

  @BeforeAll
  static void startHttpsMock() throws Exception {
    certificate = SelfSignedTls.create(keys);
    server =
        MockServer.start(
            MockServerConfig.builder()
                .fixedOutputTokens(3)
                .modelName("gpt2")
                .tls(certificate.serverContext())
                .build());
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
    Cli.Result result = run("--ca-cert", certificate.caBundle().toString());
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
    Cli.Result result = run("--insecure", "--ca-cert", certificate.caBundle().toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--insecure").contains("--ca-cert");
  }
}
