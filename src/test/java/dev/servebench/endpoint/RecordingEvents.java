package dev.servebench.endpoint;

import dev.servebench.record.FailureReason;
import java.util.ArrayList;
import java.util.List;

/** Collects what a parser reports, for assertions. */
final class RecordingEvents implements ResponseEvents {

  final List<String> chunks = new ArrayList<>();
  final List<Long> chunkNanos = new ArrayList<>();
  final List<Boolean> reasoningFlags = new ArrayList<>();
  String completeOutput;
  int promptTokens = -1;
  int completionTokens = -1;
  int usageReports;
  boolean endMarker;
  FailureReason failure;
  String failureMessage;

  @Override
  public void onStreamedOutput(String text, boolean reasoning, long arrivalNanos) {
    chunks.add(text);
    chunkNanos.add(arrivalNanos);
    reasoningFlags.add(reasoning);
  }

  @Override
  public void onCompleteOutput(String text) {
    completeOutput = text;
  }

  @Override
  public void onUsage(int promptTokens, int completionTokens) {
    usageReports++;
    if (promptTokens >= 0) {
      this.promptTokens = promptTokens;
    }
    if (completionTokens >= 0) {
      this.completionTokens = completionTokens;
    }
  }

  @Override
  public void onEndMarker() {
    endMarker = true;
  }

  @Override
  public void onFailure(FailureReason reason, String message) {
    if (failure == null) {
      failure = reason;
      failureMessage = message;
    }
  }
}
