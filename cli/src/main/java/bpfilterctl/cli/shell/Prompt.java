package bpfilterctl.cli.shell;

import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.module.ModuleStatus;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/** {@code bpf[UNLOADED]> }, {@code bpf[HEALTHY 48211]> }: the module state at a glance. */
public final class Prompt {
  private Prompt() {}

  public static AttributedStringBuilder of(ModuleState state, int umhPid) {
    AttributedStringBuilder b = new AttributedStringBuilder().append("bpf[");
    b.styled(style(state), state.name());
    if (umhPid != 0) {
      b.append(" ").append(Integer.toString(umhPid));
    }
    return b.append("]> ");
  }

  public static AttributedStringBuilder of(ModuleStatus s) {
    return of(s.state(), s.umhPid());
  }

  static AttributedStyle style(ModuleState state) {
    return switch (state) {
      case HEALTHY -> AttributedStyle.BOLD.foreground(AttributedStyle.GREEN);
      case LOADING, RESTARTING -> AttributedStyle.BOLD.foreground(AttributedStyle.YELLOW);
      case UNRESPONSIVE, FAILED -> AttributedStyle.BOLD.foreground(AttributedStyle.RED);
      case UNLOADED -> AttributedStyle.DEFAULT;
    };
  }
}
