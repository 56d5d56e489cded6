package dev.lrfinder.safety;

/** Whether a SavedModel's ops are checked against lrfinder's allow-list before any of it runs. */
public enum ModelTrust {
  /** Scan the graph and every function first and refuse a model with an unsafe op (the default). */
  SCAN_FIRST,
  /** Run the model without the scan: the caller trusts it ({@code --trust-model}). */
  TRUSTED
}
