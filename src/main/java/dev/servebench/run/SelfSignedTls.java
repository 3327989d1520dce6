package dev.servebench.run;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;

/**
 * A throw-away certificate for a mock server on loopback, made with the JDK's own keytool (the JDK
 * has no API for it): the server's TLS context and the PEM file a client trusts it with.
 */
public record SelfSignedTls(SslContext serverContext, Path caBundle) {

  private static final String PASSWORD = "servebench";

  /** Makes a key pair and certificate for 127.0.0.1 and localhost in {@code dir}. */
  public static SelfSignedTls create(Path dir) throws IOException, InterruptedException {
    Path keyStore = dir.resolve("mock.p12");
    Path caBundle = dir.resolve("mock-ca.pem");
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
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "mock",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        caBundle.toString());
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, PASSWORD.toCharArray());
      return new SelfSignedTls(SslContextBuilder.forServer(keys).build(), caBundle);
    } catch (GeneralSecurityException unusable) {
      throw new IOException("cannot load the certificate keytool made: " + unusable, unusable);
    }
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("keytool failed: " + output.strip());
    }
  }
}
