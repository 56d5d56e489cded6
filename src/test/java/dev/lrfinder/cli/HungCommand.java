package dev.lrfinder.cli;

import dev.lrfinder.report.FileOpener;
import dev.lrfinder.report.ReportWriter;
import dev.lrfinder.report.StagedReport;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A command that reserves a report and then neither finishes nor answers interrupts, run by
 * {@link InterruptTest} in a JVM of its own to prove the shutdown's last resorts: the staging
 * guard deletes the hidden directory after its wait, and {@link CommandShutdown} ends the
 * process with 130 after its own.
 */
final class HungCommand {
  private HungCommand() {}

  public static void main(String[] args) {
    Path out = Path.of(args[0]);
    CommandShutdown.install(Thread.currentThread(), System.out, System.err);
    StagedReport report = new ReportWriter(FileOpener.DISK, ShutdownGuard.CLEANUP)
        .prepare("hung", Instant.now(), out.getParent(), out);
    System.out.println("staged for " + report.target());
    while (true) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException ignored) {
        // A command stuck where interrupts do not reach.
      }
    }
  }
}
