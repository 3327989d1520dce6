package dev.servebench.engine;

/**
 * Lets another thread (a signal handler) stop a run gracefully: no new request is sent, requests in
 * flight get the drain time to finish, and the rest are cancelled.
 */
public final class RunControl {

  private volatile boolean stopRequested;

  public void requestStop() {
    stopRequested = true;
  }

  public boolean stopRequested() {
    return stopRequested;
  }
}
