package dev.lrfinder.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One verb of the command line, e.g. {@code inspect}. */
interface Command {
  String name();

  /** The {@code usage} line after the verb, e.g. {@code <model-dir>}. */
  String arguments();

  String description();

  Options options();

  /** Runs the verb; returns the exit code. Throws user-facing exceptions for bad input. */
  int run(CommandLine line, Console console) throws Exception;
}
