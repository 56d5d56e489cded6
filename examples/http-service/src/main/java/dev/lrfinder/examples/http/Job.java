package dev.lrfinder.examples.http;

import dev.lrfinder.FinderResult;
import dev.lrfinder.LrFinder;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.rangetest.RangeTestListener;
import dev.lrfinder.rangetest.RunControl;
import dev.lrfinder.rangetest.StepDecision;
import dev.lrfinder.rangetest.StepEvent;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One range test run by the service: its request, state, progress and, once done, the result.
 * {@link #run} runs it on a worker thread; every other method may be called from any thread.
 */
final class Job implements Runnable {
  /** A job's life: queued, then running, then one of the three ends. */
  enum State {
    QUEUED, RUNNING, DONE, FAILED, CANCELLED;

    /** The name clients see ({@code "done"}). */
    String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    boolean ended() {
      return this == DONE || this == FAILED || this == CANCELLED;
    }
  }

  /** What a client sees of a job at one moment. */
  record View(String id, State state, Progress progress, String resultJson, String error) {}

  private final String id;
  private final JobRequest request;
  private final CancellationToken token = new CancellationToken();
  private final AtomicReference<Progress> progress = new AtomicReference<>(Progress.NOT_STARTED);
  // state, resultJson and error change together, under this object's lock.
  private State state = State.QUEUED;
  private String resultJson;
  private String error;

  Job(String id, JobRequest request) {
    this.id = id;
    this.request = request;
  }

  String id() {
    return id;
  }

  synchronized View view() {
    return new View(id, state, progress.get(), resultJson, error);
  }

  /**
   * Asks the job to stop: a queued job is cancelled at once, a running one stops before its next
   * step (its model restored) and then reads {@code cancelled}.
   *
   * @return false when the job had already ended
   */
  synchronized boolean cancel() {
    if (state.ended()) {
      return false;
    }
    token.cancel();
    if (state == State.QUEUED) {
      state = State.CANCELLED;
    }
    return true;
  }

  @Override
  public void run() {
    synchronized (this) {
      if (state != State.QUEUED) {
        return; // cancelled while queued
      }
      state = State.RUNNING;
    }
    RunControl control = RunControl.of(new ProgressListener()).withToken(token);
    try (LrFinder finder = LrFinder.open(request.model())) {
      Dataset train = finder.loadData(request.data());
      FinderResult result = finder.rangeTest(train, request.config(), control);
      end(result.cancelled() ? State.CANCELLED : State.DONE, result.toJson(), null);
    } catch (RuntimeException e) {
      // lrfinder's exceptions carry one sentence for the user; keep it on one line.
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      end(token.isCancelled() ? State.CANCELLED : State.FAILED, null,
          message.replaceAll("\\s*\\R\\s*", " "));
    }
  }

  private synchronized void end(State end, String json, String message) {
    state = end;
    resultJson = end == State.DONE ? json : null;
    error = message;
  }

  /** Keeps the latest step, for {@code GET /jobs/{id}}. */
  private final class ProgressListener implements RangeTestListener {
    @Override
    public void onStart(String optimizer, long plannedSteps) {
      progress.set(Progress.started(optimizer, plannedSteps));
    }

    @Override
    public StepDecision onStep(StepEvent event) {
      Progress last = progress.get();
      progress.set(new Progress(event.optimizer(), last.plannedSteps(), event.step(),
          event.learningRate(), event.loss()));
      return StepDecision.CONTINUE;
    }
  }
}
