package bpfilterctl.core.iptables;

import bpfilterctl.core.iptables.ext.XtExtension;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.XtGetRevision;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Which revision of an extension to use, decided once per name as libxtables does on first use: the
 * highest revision the module answers GET_REVISION_* for; revision 0 is taken even when the module
 * does not know it (the module then refuses the rule with a clear errno). One instance per iptables
 * invocation, so that the calls it makes match iptables-legacy's.
 */
public final class Revisions {

  private final XtExtensions catalog;
  private final Sockopts port;
  private final Consumer<String> warnings;

  /** Per kind, by name: asked for every match and target of every rule a listing prints. */
  private final Map<ExtensionKind, Map<String, Optional<XtExtension>>> chosen =
      new EnumMap<>(ExtensionKind.class);

  public Revisions(XtExtensions catalog, Sockopts port, Consumer<String> warnings) {
    this.catalog = catalog;
    this.port = port;
    this.warnings = warnings;
  }

  public XtExtensions catalog() {
    return catalog;
  }

  /** The extension to use for {@code name}, probing the module the first time. */
  public Optional<XtExtension> find(ExtensionKind kind, String name) throws ModuleException {
    Map<String, Optional<XtExtension>> ofKind = chosen.computeIfAbsent(kind, k -> new HashMap<>());
    Optional<XtExtension> known = ofKind.get(name);
    if (known != null) {
      return known;
    }
    List<XtExtension> all = catalog.candidates(kind, name);
    Optional<XtExtension> pick = Optional.empty();
    for (XtExtension x : all) {
      if (compatible(kind, x.realName(), x.revision())) {
        pick = Optional.of(x);
        break;
      }
    }
    if (!all.isEmpty() && pick.isEmpty()) {
      warnings.accept("Warning: Extension " + name + " is not supported, missing kernel module?");
    }
    ofKind.put(name, pick);
    return pick;
  }

  /** The revision {@code revision} of the extension chosen for {@code name}, for printing. */
  public Optional<XtExtension> find(ExtensionKind kind, String name, int revision)
      throws ModuleException {
    return find(kind, name).filter(x -> x.revision() == revision);
  }

  /** xtables_compatible_revision. */
  private boolean compatible(ExtensionKind kind, String name, int revision) throws ModuleException {
    Sockopt opt =
        kind == ExtensionKind.MATCH
            ? Sockopt.IPT_SO_GET_REVISION_MATCH
            : Sockopt.IPT_SO_GET_REVISION_TARGET;
    try {
      port.get(opt.cmd(), new XtGetRevision(name, revision).encode());
      return true;
    } catch (Sockopts.SockoptError e) {
      // A caller the module refuses is iptables' non-root user, whose socket() fails with EPERM:
      // libxtables then assumes the revision is there (saying so above revision 0) and goes on.
      if (e.errno() == Errno.EPERM.code()) {
        if (revision != 0) {
          warnings.accept(
              name
                  + ": Could not determine whether revision "
                  + revision
                  + " is supported, assuming it is.");
        }
        return true;
      }
      if (e.errno() == Errno.ENOENT.code() || e.errno() == Errno.EPROTONOSUPPORT.code()) {
        if (revision == 0) {
          warnings.accept(
              "Warning: Extension " + name + " revision 0 not supported, missing kernel module?");
        }
        return revision == 0;
      }
      if (e.errno() == Errno.ENOPROTOOPT.code()) {
        return revision == 0;
      }
      throw new ModuleException(
          ModuleException.Kind.PROTOCOL, "getsockopt failed strangely: " + e.getMessage());
    }
  }
}
