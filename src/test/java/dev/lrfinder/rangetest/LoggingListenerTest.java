package dev.lrfinder.rangetest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** The logging preset writes through SLF4J: start and end at INFO, every n-th step at INFO. */
class LoggingListenerTest {

  /** A logger that keeps what it is given, as "LEVEL message". */
  private static final class Recording extends LegacyAbstractLogger {
    final List<String> lines = new ArrayList<>();
    private final boolean debug;

    Recording(boolean debug) {
      this.debug = debug;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String format,
        Object[] arguments, Throwable throwable) {
      lines.add(level + " " + MessageFormatter.basicArrayFormat(format, arguments));
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return debug;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }
  }

  private static Dataset rows() {
    return new Dataset(HostArray.ofFloats(new long[] {160, 1}, new float[160]),
        HostArray.ofFloats(new long[] {160}, new float[160]));
  }

  @Test
  void logsTheRunAtInfoAndEveryStepAtDebug() {
    Recording logger = new Recording(true);
    RangeTestConfig config = RangeTestConfig.builder().startLr(1e-4).endLr(1).steps(25)
        .batchSize(16).stopFactor(0).build();
    new RangeTest(config, List.of(new LoggingListener(logger, 10)))
        .run(new ScriptedModel(lr -> 2.0, "sgd"), rows(), null);
    assertEquals("INFO range test of sgd: 25 steps planned", logger.lines.get(0));
    assertEquals(27, logger.lines.size(), "start, 25 steps, end");
    assertEquals(List.of(0L, 10L, 20L), logger.lines.stream().filter(l -> l.startsWith("INFO sgd"))
        .map(l -> Long.parseLong(l.split(" ")[3].replace(":", ""))).toList());
    LossSmoother smoother = new LossSmoother(config.beta());
    smoother.add(2.0);
    assertEquals("DEBUG sgd step 1: lr " + LrSchedule.EXPONENTIAL.rate(1, 25, 1e-4, 1)
        + " loss 2.0 smoothed " + smoother.add(2.0), logger.lines.get(2));
    assertEquals("INFO range test of sgd: 25/25 steps, reached the end learning rate, ",
        logger.lines.get(26).substring(0, logger.lines.get(26).lastIndexOf(',') + 2));

    Recording quiet = new Recording(false);
    new RangeTest(config, List.of(new LoggingListener(quiet, 10)))
        .run(new ScriptedModel(lr -> 2.0, "sgd"), rows(), null);
    assertEquals(5, quiet.lines.size(), "start, steps 0, 10, 20, end");
  }
}
