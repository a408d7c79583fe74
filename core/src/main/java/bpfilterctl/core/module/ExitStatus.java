package bpfilterctl.core.module;

/**
 * How a umh process ended, from waitpid's status word.
 *
 * @param code the exit code when it exited, else -1
 * @param signal the signal that killed it, else 0
 */
public record ExitStatus(int code, int signal) {
  public static ExitStatus fromWaitStatus(int status) {
    int sig = status & 0x7f;
    if (sig == 0) {
      return new ExitStatus((status >> 8) & 0xff, 0);
    }
    return new ExitStatus(-1, sig);
  }

  public boolean killedBySignal() {
    return signal != 0;
  }

  public String describe() {
    return killedBySignal()
        ? "killed by signal " + signal + " (" + signalName(signal) + ")"
        : "exited with " + code;
  }

  static String signalName(int signal) {
    return switch (signal) {
      case 1 -> "SIGHUP";
      case 2 -> "SIGINT";
      case 3 -> "SIGQUIT";
      case 4 -> "SIGILL";
      case 6 -> "SIGABRT";
      case 7 -> "SIGBUS";
      case 8 -> "SIGFPE";
      case 9 -> "SIGKILL";
      case 11 -> "SIGSEGV";
      case 13 -> "SIGPIPE";
      case 14 -> "SIGALRM";
      case 15 -> "SIGTERM";
      default -> "SIG" + signal;
    };
  }
}
