package dev.servebench.config;

import dev.servebench.error.InvalidInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The server to benchmark, from {@code --model-endpoint-base}: scheme, host, port and an optional
 * base path that request paths are appended to.
 */
public record HttpTarget(boolean https, String host, int port, String basePath) {

  /** Parses and checks an endpoint base URL such as {@code http://127.0.0.1:8000}. */
  public static HttpTarget parse(String url) {
    return parse("--model-endpoint-base", url);
  }

  /**
   * Parses and checks an endpoint base URL given by {@code flag} (which messages name: {@code
   * --base-url}, {@code --host}/{@code --port}).
   */
  public static HttpTarget parse(String flag, String url) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException bad) {
      throw new InvalidInputException(
          flag
              + " '"
              + url
              + "' is not a URL: "
              + bad.getReason()
              + " (expected e.g. http://127.0.0.1:8000)");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new InvalidInputException(
          flag + " '" + url + "' needs a scheme, http:// or https:// (e.g. http://127.0.0.1:8000)");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new InvalidInputException(
          flag + " '" + url + "' has no host (expected e.g. http://127.0.0.1:8000)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new InvalidInputException(flag + " '" + url + "' must not have a query or fragment");
    }
    if (uri.getRawUserInfo() != null) {
      // Never echo the credentials themselves: the message may end up in a log.
      throw new InvalidInputException(
          flag
              + " must not carry credentials (user:password@ before the host):"
              + " servebench would not send them; pass an API key with OPENAI_API_KEY or"
              + " --api-key-file instead");
    }
    if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65_535)) {
      throw new InvalidInputException(
          flag
              + " '"
              + url
              + "' has port "
              + uri.getPort()
              + ": a port is 1 to 65535 (e.g. http://127.0.0.1:8000)");
    }
    boolean https = scheme.equals("https");
    int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // IPv6 literal
    }
    return new HttpTarget(https, host, port, path);
  }

  /** The value of the {@code Host} header. */
  public String hostHeader() {
    String name = host.contains(":") ? "[" + host + "]" : host;
    boolean defaultPort = https ? port == 443 : port == 80;
    return defaultPort ? name : name + ":" + port;
  }

  /** The base URL, for messages. */
  public String url() {
    return (https ? "https://" : "http://") + hostHeader() + basePath;
  }
}
