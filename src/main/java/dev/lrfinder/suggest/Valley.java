package dev.lrfinder.suggest;

import java.util.List;

/**
 * fast.ai's {@code valley} (its default): find the longest decreasing subsequence of the loss
 * (O(n^2) dynamic programming, as fast.ai does), take the stretch from its start to its end, and
 * suggest the point about halfway into it: {@code start + int(len/3) + int(len/6)}.
 */
public final class Valley implements SuggestionRule {
  public static final String NAME = "valley";

  @Override
  public List<String> names() {
    return List.of(NAME);
  }

  @Override
  public List<Suggestion> suggest(Curve curve) {
    String refusal = SuggestionRule.refusal(curve, 3);
    if (refusal != null) {
      return List.of(Suggestion.none(NAME, refusal));
    }
    int n = curve.size();
    int[] lds = new int[n]; // length of the longest decreasing subsequence ending at i
    java.util.Arrays.fill(lds, 1);
    int maxStart = 0;
    int maxEnd = 0;
    for (int i = 1; i < n; i++) {
      for (int j = 0; j < i; j++) {
        if (curve.loss(i) < curve.loss(j) && lds[i] < lds[j] + 1) {
          lds[i] = lds[j] + 1;
        }
        if (lds[maxEnd] < lds[i]) {
          maxEnd = i;
          maxStart = maxEnd - lds[maxEnd];
        }
      }
    }
    double sections = (maxEnd - maxStart) / 3.0;
    int index = maxStart + (int) sections + (int) (sections / 2);
    index = Math.max(0, Math.min(n - 1, index));
    return List.of(Suggestion.of(NAME, curve.lr(index), String.format(
        "longest descent runs from %.3g to %.3g", curve.lr(Math.max(0, maxStart)), curve.lr(maxEnd))));
  }
}
