package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.config.RequestHeaders;
import dev.servebench.record.FailureReason;
import dev.servebench.record.RequestRecord;
import dev.servebench.testing.Records;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretsTest {

  @Test
  void everySecretHeaderValueAndTheKeyAreScrubbedFromAnEchoedError() {
    RequestHeaders headers =
        RequestHeaders.parse(
            List.of("Authorization=Bearer tok-123456", "X-Api-Key=gw-key-789", "X-Tenant=acme"));
    List<String> secrets = new ArrayList<>(headers.secretValues());
    secrets.add("sk-api-key-000");
    RequestRecord echoed =
        Records.failed(
            0,
            0,
            401,
            FailureReason.HTTP_STATUS,
            "rejected: token tok-123456, gateway key gw-key-789, api key sk-api-key-000, tenant"
                + " acme");
    assertThat(Secrets.redact(echoed, secrets).outcome().error())
        .isEqualTo(
            "rejected: token [redacted], gateway key [redacted], api key [redacted], tenant acme");
    RequestRecord clean = Records.failed(1, 0, 500, FailureReason.HTTP_STATUS, "nothing to hide");
    assertThat(Secrets.redact(clean, secrets)).isSameAs(clean);
  }
}
