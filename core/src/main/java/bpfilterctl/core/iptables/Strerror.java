package bpfilterctl.core.iptables;

import java.util.Map;

/** glibc's strerror(3) texts for the errnos the module answers with. */
public final class Strerror {
  private static final Map<Integer, String> TEXT =
      Map.ofEntries(
          Map.entry(1, "Operation not permitted"),
          Map.entry(2, "No such file or directory"),
          Map.entry(4, "Interrupted system call"),
          Map.entry(5, "Input/output error"),
          Map.entry(7, "Argument list too long"),
          Map.entry(11, "Resource temporarily unavailable"),
          Map.entry(12, "Cannot allocate memory"),
          Map.entry(13, "Permission denied"),
          Map.entry(14, "Bad address"),
          Map.entry(16, "Device or resource busy"),
          Map.entry(17, "File exists"),
          Map.entry(19, "No such device"),
          Map.entry(22, "Invalid argument"),
          Map.entry(28, "No space left on device"),
          Map.entry(34, "Numerical result out of range"),
          Map.entry(36, "File name too long"),
          Map.entry(38, "Function not implemented"),
          Map.entry(39, "Directory not empty"),
          Map.entry(40, "Too many levels of symbolic links"),
          Map.entry(31, "Too many links"),
          Map.entry(71, "Protocol error"),
          Map.entry(75, "Value too large for defined data type"),
          Map.entry(91, "Protocol wrong type for socket"),
          Map.entry(92, "Protocol not available"),
          Map.entry(93, "Protocol not supported"),
          Map.entry(95, "Operation not supported"),
          Map.entry(110, "Connection timed out"),
          Map.entry(111, "Connection refused"));

  private Strerror() {}

  public static String of(int errno) {
    String t = TEXT.get(Math.abs(errno));
    return t != null ? t : "Unknown error " + Math.abs(errno);
  }
}
