package dev.lrfinder.safety;

/** Why an op is refused, in the words that end a finding's sentence. */
public enum Concern {
  FILES("reads, writes, lists or maps files"),
  NETWORK("talks to other machines or processes"),
  PYTHON("runs Python or foreign code, or controls the process"),
  CHECKPOINT("reads or writes checkpoints outside the SavedModel's own saver"),
  PRINT_TO_FILE("prints to a file"),
  NOT_ALLOWED("is not on lrfinder's allow-list of safe ops");

  private final String words;

  Concern(String words) {
    this.words = words;
  }

  /** What the op does, e.g. "reads, writes, lists or maps files". */
  public String words() {
    return words;
  }
}
