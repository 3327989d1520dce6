package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.SharedTestData;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of bad input ends with a message that names the problem, exit code 2 (4 for an
 * unreachable endpoint), no stack trace, and nothing sent to the server.
 */
class BadInputTest {

  private static MockServer server;

  @TempDir Path directory;

  @BeforeAll
  static void startMock() {
    server = MockServer.start(MockServerConfig.builder().modelName("gpt2").build());
  }

  @AfterAll
  static void stopMock() {
    server.close();
  }

  private static Cli.Result run(String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--model-endpoint-base";
    all[1] = server.baseUrl();
    all[2] = "--model-name";
    all[3] = "gpt2";
    System.arraycopy(args, 0, all, 4, args.length);
    return Cli.run(all);
  }

  private static void assertBadInput(Cli.Result result, String... messageParts) {
    assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
    assertThat(result.err())
        .contains(messageParts)
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
    assertThat(server.requestsServed()).isZero();
  }

  @Test
  void missingDataset() {
    Path missing = directory.resolve("nope.json");
    assertBadInput(
        run("--dataset", missing.toString(), "--tokenizer", "r50k_base"), missing.toString());
  }

  @Test
  void routeThatCannotGoIntoARequestLine() {
    assertBadInput(
        run(
            "--endpoint-type",
            "simple",
            "--route",
            "/my route",
            "--dataset-format",
            "Synthesis",
            "--tokenizer",
            "r50k_base"),
        "--route '/my route' contains a space",
        "percent-encode");
  }

  @Test
  void datasetFlagForgotten() {
    assertBadInput(run("--dataset-format", "ShareGPT"), "--dataset is required");
  }

  @Test
  void datasetIsADirectory() {
    assertBadInput(
        run("--dataset", directory.toString(), "--tokenizer", "r50k_base"),
        directory.toString(),
        "directory");
  }

  @Test
  void malformedJsonSaysWhere() throws IOException {
    Path broken = directory.resolve("broken.json");
    Files.writeString(
        broken, "[{\"conversations\": [\n{\"from\": \"human\", \"value\": \"hi\"},,]}]");
    Cli.Result result = run("--dataset", broken.toString(), "--tokenizer", "r50k_base");
    assertBadInput(result, broken.toString(), "line 2");
  }

  @Test
  void unknownIpexModelTypeListsTheTypes() {
    assertBadInput(
        run(
            "--dataset",
            SharedTestData.data("ipex-prompt.json").toString(),
            "--dataset-format",
            "IPEX",
            "--model-type",
            "gpt-5",
            "--tokenizer",
            "r50k_base"),
        "gpt-5",
        "gpt-j",
        "llama");
  }

  @Test
  void unknownIpexLengthListsTheLengths() {
    assertBadInput(
        run(
            "--dataset",
            SharedTestData.data("ipex-prompt.json").toString(),
            "--dataset-format",
            "IPEX",
            "--input-tokens",
            "33",
            "--tokenizer",
            "r50k_base"),
        "33",
        "32",
        "1024");
  }

  @Test
  void tooFewPromptsAfterFilteringNamesTheBound() {
    // With the default bounds most of the sample's prompts are longer than 1024 tokens.
    assertBadInput(
        run(
            "--dataset",
            SharedTestData.data("sharegpt-v3-sample50.json").toString(),
            "--num-prompts",
            "20",
            "--tokenizer",
            "r50k_base"),
        "--max-input-tokens-len",
        "20");
  }

  @Test
  void nonPositiveRatesAndCounts() {
    assertBadInput(run("--dataset-format", "Synthesis", "--request-rate", "0"), "--request-rate");
    assertBadInput(run("--dataset-format", "Synthesis", "--request-rate", "-3"), "--request-rate");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--request-rate", "fast"), "--request-rate", "fast");
    assertBadInput(run("--dataset-format", "Synthesis", "--num-prompts", "0"), "--num-prompts");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--max-concurrency", "-1"), "--max-concurrency");
    assertBadInput(run("--dataset-format", "Synthesis", "--timeout", "0"), "--timeout");
  }

  @Test
  void unknownFlagsAndValuesAreUsageErrors() {
    assertBadInput(run("--dataset-format", "Synthesis", "--num-promts", "5"), "--num-promts");
    assertBadInput(run("--dataset-format", "Parquet"), "Parquet", "ShareGPT");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--endpoint-type", "grpc"), "grpc", "openai-chat");
    assertBadInput(run("--dataset-format", "Synthesis", "--num-prompts", "many"), "many");
  }

  @Test
  void endpointUrlWithoutSchemeOrHost() {
    Cli.Result noScheme =
        Cli.run("--model-endpoint-base", "127.0.0.1:8000", "--dataset-format", "Synthesis");
    assertThat(noScheme.exitCode()).isEqualTo(2);
    assertThat(noScheme.err()).contains("http://");
  }

  @Test
  void endpointPortOutOfRange() {
    assertBadInput(
        Cli.run("--model-endpoint-base", "http://127.0.0.1:99999", "--dataset-format", "Synthesis"),
        "has port 99999: a port is 1 to 65535");
  }

  @Test
  void credentialsInTheUrlAreRefusedWithoutEchoingThem() {
    Cli.Result result =
        Cli.run(
            "--model-endpoint-base",
            "http://alice:s3cr3t@127.0.0.1:8000",
            "--dataset-format",
            "Synthesis");
    assertBadInput(result, "must not carry credentials", "--api-key-file");
    assertThat(result.err()).doesNotContain("s3cr3t");
  }

  @Test
  void syntheticLengthsAndCountsThatWouldNotFitAreRefusedBeforeTheNetwork() {
    // No server at this address: the bound is checked first.
    Cli.Result tooLong =
        Cli.run(
            "--model-endpoint-base",
            "http://127.0.0.1:1",
            "--model-name",
            "gpt2",
            "--tokenizer",
            "r50k_base",
            "--dataset-format",
            "Synthesis",
            "--input-len-mean",
            "1e9");
    assertBadInput(tooLong, "--input-len-mean 1000000000", "longer than any model's context");
    Cli.Result tooMany =
        Cli.run(
            "--model-endpoint-base",
            "http://127.0.0.1:1",
            "--model-name",
            "gpt2",
            "--tokenizer",
            "r50k_base",
            "--dataset-format",
            "Synthesis",
            "--num-prompts",
            "1000000000");
    assertBadInput(tooMany, "--num-prompts 1000000000 synthetic prompts", "raise the heap");
    assertBadInput(
        run(
            "--tokenizer",
            "r50k_base",
            "--dataset-format",
            "Synthesis",
            "--output-len-mean",
            "1e12"),
        "--output-len-mean");
  }

  @Test
  void aBinaryFileIsRefusedAtItsFirstBytes() throws IOException {
    // Refused at its first bytes, so a large binary file costs no time or memory; 64 KiB shows
    // the check.
    Path zeros = directory.resolve("zeros.bin");
    Files.write(zeros, new byte[64 * 1024]);
    assertBadInput(
        run("--tokenizer", zeros.toString(), "--dataset-format", "Synthesis"),
        "is not a Hugging Face tokenizer.json (it does not start as a JSON object)");
    assertBadInput(
        run("--tokenizer", "r50k_base", "--dataset", zeros.toString(), "--dataset-format", "JSONL"),
        "is a binary file (it holds NUL bytes), not text");
  }

  @Test
  void ioThreadsOutsideTheirRange() {
    assertBadInput(
        run("--io-threads", "100000", "--dataset-format", "Synthesis"),
        "--io-threads must be 1 to 64, got 100000");
  }

  @Test
  void apiKeyFileProblemsInPlainWords() throws IOException {
    assertBadInput(
        run(
            "--api-key-file",
            directory.resolve("none").toString(),
            "--dataset-format",
            "Synthesis"),
        "does not exist: check the path");
    assertBadInput(
        run("--api-key-file", directory.toString(), "--dataset-format", "Synthesis"),
        "is a directory: pass the file that holds the key");
  }

  @Test
  void aBinaryJsonlDatasetSaysSoInPlainWords() throws IOException {
    Path binary = directory.resolve("binary.jsonl");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 'a', (byte) 0xc3, 0x28, 0x0a});
    assertBadInput(
        run(
            "--tokenizer",
            "r50k_base",
            "--dataset",
            binary.toString(),
            "--dataset-format",
            "JSONL"),
        "is not UTF-8 text: a byte that is not UTF-8 comes within its first lines");
  }

  @Test
  void aCaCertThatIsNotPemIsBadInputBeforeAnythingIsSent() throws IOException {
    Path notPem = directory.resolve("not-a-cert.pem");
    Files.writeString(notPem, "just some text\n");
    Cli.Result result =
        Cli.run(
            "--model-endpoint-base",
            "https://127.0.0.1:1",
            "--model-name",
            "gpt2",
            "--tokenizer",
            "r50k_base",
            "--dataset-format",
            "Synthesis",
            "--ca-cert",
            notPem.toString());
    assertBadInput(result, "--ca-cert " + notPem);
  }

  @Test
  void reportOnABinaryFileSaysSo() throws IOException {
    Path binary = directory.resolve("binary-records.jsonl");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xc3, 0x28, 0x0a});
    assertBadInput(
        Cli.run("report", binary.toString()), "is not UTF-8 text (is it a binary file?)");
  }

  @Test
  void anApiKeyOnTheCommandLineGetsAHintAboutTheProcessList() {
    Cli.Result result;
    // A server of its own: the others must see no request.
    try (MockServer own = MockServer.start(MockServerConfig.builder().modelName("gpt2").build())) {
      result =
          Cli.run(
              "--model-endpoint-base",
              own.baseUrl(),
              "--model-name",
              "gpt2",
              "--api-key",
              "sk-test",
              "--tokenizer",
              "r50k_base",
              "--dataset-format",
              "Synthesis",
              "--num-prompts",
              "1",
              "--input-len-mean",
              "4",
              "--output-len-mean",
              "2");
    }
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err())
        .containsOnlyOnce("--api-key is visible to every user of this machine in the process list")
        .doesNotContain("sk-test");
  }

  @Test
  void unknownModelAsksForATokenizer() {
    Cli.Result result =
        Cli.run(
            "--model-endpoint-base",
            server.baseUrl(),
            "--model-name",
            "my-private-model",
            "--dataset-format",
            "Synthesis");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("my-private-model").contains("--tokenizer");
  }

  @Test
  void resultsDirectoryThatCannotBeCreated() throws IOException {
    Path file = directory.resolve("a-file");
    Files.writeString(file, "x");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--results-dir", file.resolve("sub").toString()),
        "--results-dir");
  }

  @Test
  void headerFlagsThatCannotBeSent() {
    assertBadInput(
        run("--dataset-format", "Synthesis", "--header", "X-Tenant"),
        "is not KEY=VALUE",
        "--header Name=value");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--header", "Host=elsewhere"),
        "--header Host cannot be set",
        "leave it out");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--header", "Content-Length=3"),
        "--header Content-Length cannot be set");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--header", "X-A=1\r\nX-B: 2"),
        "--header X-A",
        "holds a line break");
    assertBadInput(run("--dataset-format", "Synthesis", "--header", "Bad Name=1"), "holds a space");
  }

  @Test
  void anAuthorizationFieldBesideAnApiKeyIsAContradiction() {
    Cli.Result result =
        run(
            "--dataset-format",
            "Synthesis",
            "--api-key",
            "sk-flag-key",
            "--header",
            "Authorization=Bearer sk-header-key");
    assertBadInput(result, "--header Authorization and --api-key", "give one of them");
    assertThat(result.err()).doesNotContain("sk-flag-key").doesNotContain("sk-header-key");
  }

  @Test
  void extraBodyThatIsNotOneJsonObject() {
    assertBadInput(
        run("--dataset-format", "Synthesis", "--extra-body", "[1, 2]"),
        "--extra-body must be a JSON object, got an array");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--extra-body", "{\"top_p\": "),
        "--extra-body is not valid JSON",
        "e.g. --extra-body '{\"top_p\": 0.9}'");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--extra-body", "{\"stream\": true}"),
        "use --stream or --no-stream instead");
  }

  @Test
  void requestIdPrefixProblems() {
    assertBadInput(
        run(
            "--dataset-format",
            "Synthesis",
            "--request-id-prefix",
            "p-",
            "--header",
            "x-request-id=fixed"),
        "--header x-request-id and --request-id-prefix both name the request id");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--request-id-prefix", "run\n"),
        "--request-id-prefix",
        "holds a line break");
  }

  @Test
  void waitForServerTakesPositiveSeconds() {
    assertBadInput(
        run("--dataset-format", "Synthesis", "--wait-for-server", "0"),
        "--wait-for-server must be a positive number of seconds");
    assertBadInput(
        run("--dataset-format", "Synthesis", "--wait-for-server", "-3"),
        "--wait-for-server must be a positive number of seconds");
  }

  @Test
  void unreachableEndpointExitsWithItsOwnCode() throws IOException {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    Cli.Result result =
        Cli.run(
            "--model-endpoint-base",
            "http://127.0.0.1:" + freePort,
            "--model-name",
            "gpt2",
            "--dataset-format",
            "Synthesis",
            "--num-prompts",
            "2");
    assertThat(result.exitCode()).isEqualTo(4);
    assertThat(result.err())
        .contains("cannot connect to http://127.0.0.1:" + freePort)
        .contains("is the server running");
  }
}
