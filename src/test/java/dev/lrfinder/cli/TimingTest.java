package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The LRFINDER_TIMING=1 line, and which command the start-up warm-up prepares for. */
class TimingTest {
  private static String printed(Timing timing) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    timing.print(new PrintStream(err, true, StandardCharsets.UTF_8));
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void offUnlessTheVariableIsOne() {
    for (Map<String, String> environment : List.of(Map.<String, String>of(),
        Map.of(Timing.VARIABLE, "0"), Map.of(Timing.VARIABLE, "yes"))) {
      Timing timing = Timing.of(environment);
      timing.mark("main");
      assertEquals("", printed(timing), environment.toString());
    }
  }

  @Test
  void oneLineOfEpochMillisecondsInOrder() throws Exception {
    Timing timing = Timing.of(Map.of(Timing.VARIABLE, "1"));
    long before = System.currentTimeMillis();
    timing.mark("main");
    timing.mark("command_done");
    timing.mark("main"); // a second mark of an event keeps the first
    long after = System.currentTimeMillis();
    String line = printed(timing);
    assertTrue(line.startsWith("lrfinder: timing {") && line.endsWith("}\n")
        && line.lines().count() == 1, line);
    JsonNode marks = new ObjectMapper().readTree(line.substring("lrfinder: timing ".length()));
    assertEquals(List.of("jvm_start", "main", "command_done"),
        List.copyOf(iterable(marks.fieldNames())));
    long jvmStart = marks.get("jvm_start").asLong();
    long main = marks.get("main").asLong();
    long done = marks.get("command_done").asLong();
    assertTrue(jvmStart <= before && before <= main && main <= done && done <= after, line);
  }

  @Test
  void warmupFollowsTheCommandNotHelp() {
    assertEquals("find", Main.commandOf(new String[] {"find", "--steps", "5"}));
    assertEquals("inspect", Main.commandOf(new String[] {"--debug", "inspect"}));
    assertEquals("", Main.commandOf(new String[] {"find", "--help"}));
    assertEquals("", Main.commandOf(new String[] {"-h"}));
    assertEquals("", Main.commandOf(new String[] {}));
  }

  private static <T> List<T> iterable(java.util.Iterator<T> iterator) {
    List<T> list = new java.util.ArrayList<>();
    iterator.forEachRemaining(list::add);
    return list;
  }
}
