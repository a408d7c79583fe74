package bpfilterctl.core.iptables.ext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Names of services and protocols, from /etc/services and /etc/protocols as getservbyname(3) and
 * getprotobyname(3) read them: the first line naming a port or number wins, aliases count as names.
 * A missing file is an empty database (numbers still work).
 */
public final class Lookups {
  private final Map<String, Integer> portsByName = new HashMap<>();
  private final Map<String, String> namesByPort = new HashMap<>();
  private final Map<String, Integer> protosByName = new HashMap<>();
  private final Map<Integer, String> namesByProto = new HashMap<>();
  private final Map<String, Long> uidsByName = new HashMap<>();
  private final Map<Long, String> namesByUid = new HashMap<>();
  private final Map<String, Long> gidsByName = new HashMap<>();
  private final Map<Long, String> namesByGid = new HashMap<>();

  /** The files that name addresses for -L without -n, read on first use. */
  private final Path hosts = Path.of("/etc/hosts");

  private final Path networks = Path.of("/etc/networks");
  private Map<Long, String> hostNames;
  private Map<Long, String> networkNames;

  /** Services and protocols only: no user or group names (numbers still work). */
  public Lookups(Path services, Path protocols) {
    this(services, protocols, null, null);
  }

  /**
   * Also users and groups, from passwd(5) and group(5) files as getpwnam(3)/getgrnam(3) read them
   * (owner's --uid-owner/--gid-owner); null paths are empty databases.
   */
  public Lookups(Path services, Path protocols, Path passwd, Path group) {
    accounts(passwd, uidsByName, namesByUid);
    accounts(group, gidsByName, namesByGid);
    for (String[] f : fields(services)) {
      int slash = f.length > 1 ? f[1].indexOf('/') : -1;
      if (slash < 0) {
        continue;
      }
      Integer port = number(f[1].substring(0, slash));
      String proto = f[1].substring(slash + 1);
      if (port == null) {
        continue;
      }
      namesByPort.putIfAbsent(port + "/" + proto, f[0]);
      for (int i = 0; i < f.length; i++) {
        if (i != 1) {
          portsByName.putIfAbsent(f[i] + "/" + proto, port);
        }
      }
    }
    for (String[] f : fields(protocols)) {
      Integer number = f.length > 1 ? number(f[1]) : null;
      if (number == null) {
        continue;
      }
      namesByProto.putIfAbsent(number, f[0]);
      for (int i = 0; i < f.length; i++) {
        if (i != 1) {
          protosByName.putIfAbsent(f[i], number);
        }
      }
    }
  }

  /** The machine's databases. */
  public static Lookups system() {
    return new Lookups(
        Path.of("/etc/services"),
        Path.of("/etc/protocols"),
        Path.of("/etc/passwd"),
        Path.of("/etc/group"));
  }

  private static void accounts(Path file, Map<String, Long> byName, Map<Long, String> byId) {
    if (file == null) {
      return;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
        String[] f = line.split(":", -1);
        if (f.length < 3 || f[0].isEmpty()) {
          continue;
        }
        try {
          long id = Long.parseLong(f[2]);
          byName.putIfAbsent(f[0], id);
          byId.putIfAbsent(id, f[0]);
        } catch (NumberFormatException e) {
          // a malformed line is skipped, as nss_files does
        }
      }
    } catch (IOException e) {
      // no file: no names
    }
  }

  /** getpwnam: a user's uid. */
  public Optional<Long> uid(String name) {
    return Optional.ofNullable(uidsByName.get(name));
  }

  /** getpwuid: the first user name of a uid. */
  public Optional<String> userName(long uid) {
    return Optional.ofNullable(namesByUid.get(uid));
  }

  /** getgrnam: a group's gid. */
  public Optional<Long> gid(String name) {
    return Optional.ofNullable(gidsByName.get(name));
  }

  /** getgrgid: the first group name of a gid. */
  public Optional<String> groupName(long gid) {
    return Optional.ofNullable(namesByGid.get(gid));
  }

  /** The port a service name has for a protocol ("tcp", "udp", ...), as getservbyname. */
  public OptionalInt service(String name, String proto) {
    Integer p = portsByName.get(name + "/" + proto);
    return p == null ? OptionalInt.empty() : OptionalInt.of(p);
  }

  /** The first service name of a port for a protocol, as getservbyport. */
  public Optional<String> serviceName(int port, String proto) {
    return Optional.ofNullable(namesByPort.get(port + "/" + proto));
  }

  public OptionalInt protocol(String name) {
    Integer p = protosByName.get(name);
    return p == null ? OptionalInt.empty() : OptionalInt.of(p);
  }

  public Optional<String> protocolName(int number) {
    return Optional.ofNullable(namesByProto.get(number));
  }

  /**
   * xtables_ipaddr_to_anyname: the host's name (the first /etc/hosts line with the address), else
   * the network's (/etc/networks), else the dotted quad. No name server is asked: a listing must
   * not hang on one.
   */
  public synchronized String addressName(long hostOrder) {
    if (hostNames == null) {
      hostNames = new HashMap<>();
      for (String[] f : fields(hosts)) {
        Long a = dottedQuad(f[0]);
        if (a != null && f.length > 1) {
          hostNames.putIfAbsent(a, f[1]);
        }
      }
      networkNames = new HashMap<>();
      for (String[] f : fields(networks)) {
        Long a = f.length > 1 ? networkNumber(f[1]) : null;
        if (a != null) {
          networkNames.putIfAbsent(a, f[0]);
        }
      }
    }
    long a = hostOrder & 0xFFFFFFFFL;
    String name = hostNames.get(a);
    if (name == null) {
      name = networkNames.get(a);
    }
    return name != null ? name : XtPrint.ip(a);
  }

  private static Long dottedQuad(String s) {
    String[] p = s.split("\\.", -1);
    if (p.length != 4) {
      return null;
    }
    return networkNumber(s);
  }

  /** inet_network: 1 to 4 dotted parts, the last ones filling the low bytes ("127" is 127). */
  private static Long networkNumber(String s) {
    String[] p = s.split("\\.", -1);
    if (p.length > 4) {
      return null;
    }
    long v = 0;
    for (String part : p) {
      Integer n = number(part);
      if (n == null || n < 0 || n > 255) {
        return null;
      }
      v = (v << 8) | n;
    }
    return v;
  }

  private static List<String[]> fields(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream()
          .map(l -> l.replaceAll("#.*", "").trim())
          .filter(l -> !l.isEmpty())
          .map(l -> l.split("\\s+"))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Integer number(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
