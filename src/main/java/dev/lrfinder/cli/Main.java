package dev.lrfinder.cli;

import dev.lrfinder.data.DataException;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.report.FileOpener;
import dev.lrfinder.report.OutputException;
import dev.lrfinder.report.ReportWriter;
import dev.lrfinder.report.SweepReportWriter;
import dev.lrfinder.report.TrainingReportWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * The {@code lrfinder} command line. Exit codes: 0 success, 2 bad input (one-line message),
 * 1 internal error (stack trace only with {@code --debug}), 130 interrupted (Ctrl-C, SIGTERM).
 */
public final class Main {
  static final int OK = 0;
  static final int INTERNAL_ERROR = 1;
  static final int BAD_INPUT = 2;
  /** As shells report a process ended by SIGINT; also used for SIGTERM, as one "interrupted". */
  static final int INTERRUPTED = 130;

  private final Map<String, Command> commands = new LinkedHashMap<>();

  Main() {
    this(FileOpener.DISK);
  }

  /** A command line whose outputs are created through {@code opener} (tests inject faults). */
  Main(FileOpener opener) {
    for (Command command : new Command[] {
        new FindCommand(new ReportWriter(opener, ShutdownGuard.CLEANUP)), new InspectCommand(),
        new TrainCommand(new TrainingReportWriter(opener, ShutdownGuard.CLEANUP)),
        new SweepCommand(new SweepReportWriter(opener, ShutdownGuard.CLEANUP)),
        new ExperimentCommand(new SweepReportWriter(opener, ShutdownGuard.CLEANUP))}) {
      commands.put(command.name(), command);
    }
  }

  public static void main(String[] args) {
    Timing timing = Timing.of(System.getenv());
    timing.mark("main");
    // The command line draws charts and never opens a window: on a desktop, headless keeps the
    // JVM from starting a toolkit (a dock icon on macOS). The library itself sets no property.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    Path home = Path.of(System.getProperty("lrfinder.home", "."));
    CommandShutdown shutdown = CommandShutdown.install(Thread.currentThread(), System.out,
        System.err);
    int code;
    try (Warmup warmup = Warmup.start(commandOf(args), timing)) {
      code = new Main().run(args, new Console(System.out, System.err, home));
      timing.mark("command_done");
    }
    timing.print(System.err);
    shutdown.exit(code);
  }

  /** The command {@code args} run, or "" when they ask for help or name none. */
  static String commandOf(String[] args) {
    List<String> rest = Arrays.stream(args).filter(a -> !a.equals("--debug")).toList();
    return rest.isEmpty() || rest.contains("--help") || rest.contains("-h") ? "" : rest.get(0);
  }

  int run(String[] args, Console console) {
    boolean debug = Arrays.asList(args).contains("--debug");
    String[] rest = Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
    if (rest.length == 0 || rest[0].equals("--help") || rest[0].equals("-h")) {
      printOverview(console.out());
      return rest.length == 0 ? BAD_INPUT : OK;
    }
    Command command = commands.get(rest[0]);
    if (command == null) {
      console.err().println("lrfinder: error: unknown command '" + rest[0] + "'; commands: "
          + String.join(", ", commands.keySet()) + " (see lrfinder --help)");
      return BAD_INPUT;
    }
    Options options = command.options();
    options.addOption(Option.builder("h").longOpt("help").desc("show this help").build());
    try {
      CommandLine line = new DefaultParser().parse(options, Arrays.copyOfRange(rest, 1, rest.length));
      if (line.hasOption("help")) {
        printHelp(command, console.out());
        return OK;
      }
      return command.run(line, console);
    } catch (CommandInterrupted e) {
      return interrupted(console, e.getMessage());
    } catch (ParseException e) {
      return badInput(console, command.name() + ": " + e.getMessage() + " (see lrfinder "
          + command.name() + " --help)", e, debug);
    } catch (UsageException | ModelException | DataException | OutputException
        | IllegalArgumentException e) {
      if (CommandInterrupted.causedBy(e)) {
        return interrupted(console, "nothing was written");
      }
      return badInput(console, e.getMessage(), e, debug);
    } catch (Exception | Error e) {
      if (CommandInterrupted.causedBy(e)) {
        return interrupted(console, "nothing was written");
      }
      console.err().println("lrfinder: internal error: " + e
          + (debug ? "" : " (run with --debug for details)"));
      if (debug) {
        e.printStackTrace(console.err());
      }
      return INTERNAL_ERROR;
    }
  }

  private static int interrupted(Console console, String whatWasKept) {
    console.err().println("lrfinder: interrupted; " + whatWasKept);
    return INTERRUPTED;
  }

  private static int badInput(Console console, String message, Exception e, boolean debug) {
    console.err().println("lrfinder: error: " + message);
    if (debug) {
      e.printStackTrace(console.err());
    }
    return BAD_INPUT;
  }

  private void printOverview(PrintStream out) {
    out.println("usage: lrfinder <command> [options]   (lrfinder <command> --help for details)");
    out.println();
    out.println("Learning-rate range tests for Keras SavedModels, trained from the JVM.");
    out.println();
    out.println("commands:");
    commands.values().forEach(c -> out.printf("  %-10s %s%n", c.name(), c.description()));
    out.println();
    out.println("global options: --debug  print stack traces of errors");
  }

  private static void printHelp(Command command, PrintStream out) {
    PrintWriter writer = new PrintWriter(out);
    new HelpFormatter().printHelp(writer, 100, "lrfinder " + command.name() + " "
        + command.arguments(), command.description(), command.options(), 2, 2, "", false);
    writer.flush();
  }
}
