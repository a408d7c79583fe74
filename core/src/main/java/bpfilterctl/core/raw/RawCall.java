package bpfilterctl.core.raw;

import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * One raw sockopt call in the JSON-lines format of shared/tools/kernel-sockopt: {@code {"op":
 * "get"|"set", "cmd": 64 | "IPT_SO_GET_INFO", "buf": "<hex>"}}. For a get, buf is the input buffer
 * and its length is optlen.
 */
public record RawCall(boolean isSet, int cmd, byte[] buf) {

  public static RawCall parse(String line) {
    Map<String, Object> m = JsonReader.parseObject(line);
    Object op = m.get("op");
    if (!"get".equals(op) && !"set".equals(op)) {
      throw new IllegalArgumentException("\"op\" must be \"get\" or \"set\"");
    }
    boolean set = op.equals("set");
    int cmd = cmdOf(m.get("cmd"), set);
    Object buf = m.getOrDefault("buf", "");
    if (!(buf instanceof String hex)) {
      throw new IllegalArgumentException("\"buf\" must be a hex string");
    }
    byte[] bytes;
    try {
      bytes = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"buf\" is not hex: " + e.getMessage());
    }
    return new RawCall(set, cmd, bytes);
  }

  private static int cmdOf(Object cmd, boolean set) {
    if (cmd instanceof Long n) {
      if (n < 0 || n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("\"cmd\" out of range: " + n);
      }
      return n.intValue();
    }
    if (cmd instanceof String name) {
      try {
        Sockopt o = Sockopt.valueOf(name);
        if (o.isSet() != set) {
          throw new IllegalArgumentException(name + " is a " + (o.isSet() ? "set" : "get"));
        }
        return o.cmd();
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().contains(" is a ")) {
          throw e;
        }
        throw new IllegalArgumentException("unknown \"cmd\" " + name);
      }
    }
    throw new IllegalArgumentException("\"cmd\" must be a number or an IPT_SO_* name");
  }

  public MboxRequest toRequest(int callerPid) {
    return new MboxRequest(0, isSet, cmd, callerPid, buf);
  }
}
