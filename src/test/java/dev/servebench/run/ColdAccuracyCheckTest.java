package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.config.TlsOptions;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.tokenizer.Tokenizers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh {@code servebench run} process, its first request checked against the mock's own log. The
 * bound leaves room for a busy host and still catches a process that stamps its first request late
 * because it did not rehearse its request path or open its connection ahead (bench/README.md, Cold
 * start).
 */
class ColdAccuracyCheckTest {

  private static final double MAX_ERROR_NANOS = 10e6;

  @TempDir Path work;

  @Test
  void aFreshProcessTimesItsFirstRequestTruly() throws Exception {
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .ttftMillis(30)
                .itlMillis(5)
                .recordWrites(10_000)
                .tokenizer(Tokenizers.builtIn("r50k_base"))
                .modelName("gpt2")
                .build())) {
      AccuracyCheck.warmServer(
          server.baseUrl(), EndpointType.OPENAI_CHAT, TlsOptions.VERIFY, 500, 20, 32);
      ColdAccuracyCheck.Result result =
          ColdAccuracyCheck.run(
              new ColdAccuracyCheck.Case(EndpointType.OPENAI_CHAT, 1, server.baseUrl(), null),
              server::takeAllWrites,
              work);
      assertThat(result.requests()).isEqualTo(1);
      assertThat(result.failedRequests()).isZero();
      assertThat(result.connectionsOpenedAhead()).isEqualTo(1);
      assertThat(result.ttftError().maxNanos()).isLessThan(MAX_ERROR_NANOS);
      assertThat(result.e2eError().maxNanos()).isLessThan(MAX_ERROR_NANOS);
    }
  }
}
