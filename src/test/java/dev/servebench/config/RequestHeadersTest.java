package dev.servebench.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestHeadersTest {

  @Test
  void keyValuePairsSplitAtTheFirstEqualsSign() {
    RequestHeaders headers =
        RequestHeaders.parse(
            List.of("X-Tenant=acme", " X-Trace = a=b=c ", "X-Empty=", "Authorization=Bearer sk-1"));
    assertThat(headers.fields())
        .containsExactly(
            new RequestHeaders.Field("X-Tenant", "acme"),
            new RequestHeaders.Field("X-Trace", "a=b=c"),
            new RequestHeaders.Field("X-Empty", ""),
            new RequestHeaders.Field("Authorization", "Bearer sk-1"));
    assertThat(headers.get("x-tenant")).isEqualTo("acme");
    assertThat(headers.has("AUTHORIZATION")).isTrue();
    assertThat(headers.has("Accept")).isFalse();
    assertThat(RequestHeaders.parse(List.of())).isSameAs(RequestHeaders.NONE);
  }

  @Test
  void credentialsAreKnownByTheirNames() {
    for (String name :
        List.of(
            "Authorization",
            "Proxy-Authorization",
            "X-Api-Key",
            "api-key",
            "X-Auth-Token",
            "Cookie",
            "X-Client-Secret",
            "X-Session-Id")) {
      assertThat(RequestHeaders.isSecretName(name)).as(name).isTrue();
    }
    for (String name : List.of("X-Tenant", "User-Agent", "Accept", "x-request-id")) {
      assertThat(RequestHeaders.isSecretName(name)).as(name).isFalse();
    }
  }

  @Test
  void theConfigurationShowsEverythingButSecretValues() {
    RequestHeaders headers =
        RequestHeaders.parse(List.of("X-Tenant=acme", "X-Api-Key=sk-7", "Authorization=Bearer t"));
    assertThat(headers.described())
        .containsExactly(
            Map.entry("X-Tenant", "acme"),
            Map.entry("X-Api-Key", RequestHeaders.NOT_SHOWN),
            Map.entry("Authorization", RequestHeaders.NOT_SHOWN));
    // The credentials after an auth scheme too: a server may echo the token alone.
    assertThat(headers.secretValues()).containsExactly("sk-7", "Bearer t", "t");
  }

  @Test
  void malformedFlagsAreRefusedWithWhatToWrite() {
    assertRefused("X-Tenant", "is not KEY=VALUE", "--header Name=value");
    assertRefused("=value", "no name before '='");
    assertRefused("X Tenant=a", "'X...' holds a space", "letters, digits");
    assertRefused("X-Tenant:=a", "'X-Tenant...' holds ':'", "--header Name=value");
  }

  /** Written curl-style with an '=' in the credential, the text past the colon is never shown. */
  @Test
  void aCurlStyleHeaderNeverShowsItsValue() {
    assertThatThrownBy(
            () -> RequestHeaders.parse(List.of("Authorization: Basic dXNlcjpwYXNzd29yZA==")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'Authorization...' holds ':'")
        .hasMessageNotContaining("Basic")
        .hasMessageNotContaining("dXNlcjpwYXNzd29yZA");
    assertThatThrownBy(() -> RequestHeaders.parse(List.of("X-Api-Key=sk-caf\u00e9")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("other than ASCII")
        .hasMessageNotContaining("\u00e9");
  }

  @Test
  void aNameGivenTwiceIsRefused() {
    assertThatThrownBy(() -> RequestHeaders.parse(List.of("X-A=1", "x-a=2")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--header x-a is given twice")
        .hasMessageContaining("join list values with commas");
  }

  @Test
  void aCurlStyleFieldIsRefusedWithoutQuotingItsValue() {
    assertThatThrownBy(() -> RequestHeaders.parse(List.of("X-Api-Key: sk-secret-9")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--header 'X-Api-Key: ...' is not KEY=VALUE")
        .hasMessageNotContaining("sk-secret-9");
  }

  @Test
  void fieldsThatFrameTheRequestAreServebenchsOwn() {
    for (String name :
        List.of(
            "Host",
            "content-length",
            "Transfer-Encoding",
            "Connection",
            "Upgrade",
            "Expect",
            "X-Servebench-Request-Id")) {
      assertThatThrownBy(() -> RequestHeaders.parse(List.of(name + "=x")))
          .as(name)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("--header " + name + " cannot be set")
          .hasMessageContaining("leave it out");
    }
  }

  @Test
  void aValueThatWouldStartAFieldOfItsOwnIsRefused() {
    assertThatThrownBy(() -> RequestHeaders.parse(List.of("X-Tenant=a\r\nX-Injected: yes")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--header X-Tenant 'a\\r\\nX-Injected: yes' holds a line break");
    assertThatThrownBy(() -> RequestHeaders.parse(List.of("X-Tenant=caf\u00e9")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("other than ASCII");
    // A secret value is never quoted, even when it is wrong.
    assertThatThrownBy(() -> RequestHeaders.parse(List.of("X-Api-Key=sk-secret-9\nX: y")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--header X-Api-Key holds a line break")
        .hasMessageNotContaining("sk-secret-9");
  }

  private static void assertRefused(String flagValue, String... messageParts) {
    assertThatThrownBy(() -> RequestHeaders.parse(List.of(flagValue)))
        .as(flagValue)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContainingAll(messageParts);
  }
}
