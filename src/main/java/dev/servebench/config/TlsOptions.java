package dev.servebench.config;

import java.nio.file.Path;

/**
 * How https endpoints are trusted. By default certificates are verified against the JDK's trust
 * store and the host name is checked.
 *
 * @param insecure trust any certificate and skip the host-name check ({@code --insecure})
 * @param caBundle a PEM file of CA certificates to trust instead of the JDK's, or {@code null}
 */
public record TlsOptions(boolean insecure, Path caBundle) {

  public static final TlsOptions VERIFY = new TlsOptions(false, null);
}
