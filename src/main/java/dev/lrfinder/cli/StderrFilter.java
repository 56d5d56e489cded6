package dev.lrfinder.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The launcher's filter of lrfinder's stderr ({@code scripts/lrfinder}): drops the lines that
 * TensorFlow's native logging prints whatever the log level (absl's "before
 * absl::InitializeLog()" warning and its MLIR info line) and passes everything else on at once,
 * byte for byte. Partial lines go on too, so the progress bar, redrawn with {@code \r} and no
 * newline, shows live; only a line that starts like absl's log lines is held until its newline
 * to decide. A line filter such as {@code grep} held the bar until the optimizer's end.
 *
 * <p>It reacts to no signal itself: the launcher starts it with SIGINT, SIGTERM and SIGQUIT
 * ignored (an ignored signal stays ignored across exec, and {@code -Xrs} keeps the JVM from
 * taking them back), so a Ctrl-C sent to the whole process group leaves it running until
 * lrfinder closes its stderr, and lrfinder's last lines still show.
 */
public final class StderrFilter {
  /** What the dropped lines contain. */
  static final List<String> DROPPED = List.of("before absl::InitializeLog",
      "mlir_graph_optimization_pass");
  private static final byte[] ABSL_WARNING = "WARNING: All log messages before absl::"
      .getBytes(StandardCharsets.US_ASCII);

  private final OutputStream out;
  private final ByteArrayOutputStream held = new ByteArrayOutputStream();
  private boolean passing;

  StderrFilter(OutputStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    new StderrFilter(System.out).copy(System.in);
    System.out.flush();
  }

  /** Filters {@code in} to the end, flushing after every read so nothing waits. */
  void copy(InputStream in) throws IOException {
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      write(buffer, 0, n);
      out.flush();
    }
    out.write(held.toByteArray()); // a last line without newline
    held.reset();
    out.flush();
  }

  void write(byte[] bytes, int offset, int length) throws IOException {
    int start = offset; // bytes[start, i) pass on unheld
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (passing) {
        if (b == '\n') {
          passing = false;
          out.write(bytes, start, i + 1 - start);
          start = i + 1;
        }
        continue;
      }
      held.write(b);
      start = i + 1;
      if (b == '\n') {
        String line = held.toString(StandardCharsets.UTF_8);
        if (DROPPED.stream().noneMatch(line::contains)) {
          held.writeTo(out);
        }
        held.reset();
      } else if (!mayBeAbslLine(held.toByteArray())) {
        held.writeTo(out);
        held.reset();
        passing = true;
      }
    }
    if (passing) {
      out.write(bytes, start, offset + length - start);
    }
  }

  /**
   * Whether a line starting with {@code head} may be one of absl's: {@code I0000 00:00:...}
   * (severity, month and day, a space) or its {@code WARNING: All log messages before absl::}.
   */
  static boolean mayBeAbslLine(byte[] head) {
    boolean severityHead = "IWEF".indexOf(head[0]) >= 0;
    for (int i = 1; i < Math.min(head.length, 6) && severityHead; i++) {
      severityHead = i < 5 ? head[i] >= '0' && head[i] <= '9' : head[i] == ' ';
    }
    boolean warningHead = true;
    for (int i = 0; i < Math.min(head.length, ABSL_WARNING.length) && warningHead; i++) {
      warningHead = head[i] == ABSL_WARNING[i];
    }
    return severityHead || warningHead;
  }
}
