package dev.servebench.run;

import dev.servebench.config.TlsOptions;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The JDK SSL context for the pre-flight request, trusting what the run's TLS options trust. */
final class TlsContexts {

  private TlsContexts() {}

  static SSLContext jdk(TlsOptions tls) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      if (tls.insecure()) {
        context.init(null, new TrustManager[] {new TrustEverything()}, null);
      } else if (tls.caBundle() != null) {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(tls.caBundle())) {
          int i = 0;
          for (Certificate certificate :
              CertificateFactory.getInstance("X.509").generateCertificates(in)) {
            store.setCertificateEntry("ca-" + i++, certificate);
          }
          if (i == 0) {
            throw new InvalidInputException(
                "--ca-cert "
                    + tls.caBundle()
                    + " holds no certificate: pass a PEM file of -----BEGIN CERTIFICATE-----"
                    + " blocks");
          }
        }
        TrustManagerFactory trust =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        context.init(null, trust.getTrustManagers(), null);
      } else {
        return SSLContext.getDefault();
      }
      return context;
    } catch (NoSuchFileException missing) {
      throw new InvalidInputException("--ca-cert " + tls.caBundle() + " does not exist");
    } catch (IOException | GeneralSecurityException unusable) {
      throw new InvalidInputException(
          "--ca-cert "
              + tls.caBundle()
              + " is not a readable PEM file of certificates: pass a file of -----BEGIN"
              + " CERTIFICATE----- blocks (the server's certificate or the CA that signed it)");
    }
  }

  /** What {@code --insecure} asks for, and only then. */
  private static final class TrustEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
