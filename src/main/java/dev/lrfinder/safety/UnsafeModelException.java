package dev.lrfinder.safety;

import dev.lrfinder.model.ModelException;
import java.nio.file.Path;

/** A SavedModel refused by {@link ModelSafety}: it has ops lrfinder does not run untrusted. */
public final class UnsafeModelException extends ModelException {
  private final transient ScanReport report;

  public UnsafeModelException(Path directory, ScanReport report) {
    super(message(directory, report));
    this.report = report;
  }

  /** What the scan found (at least one finding). */
  public ScanReport report() {
    return report;
  }

  private static String message(Path directory, ScanReport report) {
    int more = report.findings().size() - 1;
    return "refusing to run '" + directory + "': " + report.findings().get(0).sentence()
        + (more > 0 ? " (and " + more + " more unsafe node" + (more == 1 ? "" : "s")
            + "; lrfinder inspect lists them)" : "")
        + "; pass --trust-model only if you trust this model";
  }
}
