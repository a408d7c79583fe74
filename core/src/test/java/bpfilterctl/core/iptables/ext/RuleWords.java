package bpfilterctl.core.iptables.ext;

import java.util.List;

/** Test-only: the shell word split of {@link RuleText}, for tests outside this package. */
public final class RuleWords {
  private RuleWords() {}

  public static List<String> split(String rule) {
    return RuleText.split(rule);
  }
}
