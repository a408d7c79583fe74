package bpfilterctl.core.bpf;

import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.iptables.ModuleSockopts;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.umh.BpfEnforcement;
import bpfilterctl.core.umh.tables.TableEngine;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The umh's table engine with enforcement, inside a test's namespace, driven by our iptables: what
 * the umh does, without its process. Every call runs in the namespace, where the programs attach.
 */
final class EnforcingEngine {
  private EnforcingEngine() {}

  /** Our iptables over a fresh engine that enforces with {@code enforcer} in {@code ns}. */
  static Iptables iptables(TestNetns ns, Enforcer enforcer) throws Exception {
    PrintStream log = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    TableEngine engine =
        Netns.call(
            enforcer.bpf(),
            ns.path(),
            () -> new TableEngine(ExtensionRegistry.kernel(), new BpfEnforcement(enforcer, log)));
    ModuleSockopts port =
        ModuleSockopts.direct(
            req -> {
              try {
                return Netns.call(enforcer.bpf(), ns.path(), () -> engine.handle(req));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    return new Iptables(port, XtExtensions.standard(), Lookups.system());
  }
}
