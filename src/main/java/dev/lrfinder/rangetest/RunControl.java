package dev.lrfinder.rangetest;

import java.util.List;
import java.util.Objects;

/**
 * What a caller attaches to one range test run: listeners (progress, early stop) and the token
 * that cancels it.
 */
public record RunControl(List<RangeTestListener> listeners, CancellationToken token) {
  public RunControl {
    listeners = List.copyOf(listeners);
    Objects.requireNonNull(token, "token");
  }

  /** No listener and a token nobody else holds. */
  public static RunControl none() {
    return new RunControl(List.of(), new CancellationToken());
  }

  /** These listeners and a fresh token. */
  public static RunControl of(RangeTestListener... listeners) {
    return new RunControl(List.of(listeners), new CancellationToken());
  }

  /** These listeners with {@code token}. */
  public RunControl withToken(CancellationToken token) {
    return new RunControl(listeners, token);
  }

  /** These listeners and {@code listener} after them, same token. */
  public RunControl withListener(RangeTestListener listener) {
    List<RangeTestListener> all = new java.util.ArrayList<>(listeners);
    all.add(listener);
    return new RunControl(all, token);
  }
}
