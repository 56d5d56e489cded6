package dev.lrfinder.safety;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a scan of a SavedModel found.
 *
 * @param graphNodes nodes of every meta graph's graph
 * @param functions functions of every meta graph's library
 * @param functionNodes nodes of those functions' bodies
 * @param opTypes every op type the nodes use (library functions called by name excluded)
 * @param findings the nodes lrfinder refuses to run, in graph order then library order
 */
public record ScanReport(int graphNodes, int functions, int functionNodes,
    SortedSet<String> opTypes, List<Finding> findings) {
  public ScanReport {
    opTypes = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(opTypes));
    findings = List.copyOf(findings);
  }

  /** True when no node is refused. */
  public boolean safe() {
    return findings.isEmpty();
  }

  /** The distinct op types of the findings, sorted. */
  public SortedSet<String> refusedOpTypes() {
    TreeSet<String> types = new TreeSet<>();
    findings.forEach(f -> types.add(f.opType()));
    return java.util.Collections.unmodifiableSortedSet(types);
  }
}
