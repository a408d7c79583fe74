package bpfilterctl.core.umh.tables;

import bpfilterctl.core.bpf.compile.FilterTable;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.XtCounters;
import java.util.List;
import java.util.Optional;

/**
 * What makes the filter table real: the engine hands it every filter table it accepts, and asks it
 * for the traffic each entry counted. Implemented over BPF programs by the umh's enforcer.
 */
public interface Enforcement {
  /**
   * Whether the enforcer can compile this match or target (any revision the kernel registry has):
   * the engine answers revision queries for the others as a kernel without that module does.
   */
  boolean offers(ExtensionKind kind, String name);

  /**
   * The errno with which a replace must be refused because the table cannot be enforced (what a
   * kernel without the extension answers); empty when it can.
   */
  Optional<Errno> refusal(FilterTable table);

  /**
   * Enforces {@code table} from now on and returns the traffic the previous one counted, per entry
   * (empty when there was none).
   *
   * @throws EnforcementFailure when the table could not be put in place; the previous one stays
   */
  List<XtCounters> install(FilterTable table) throws EnforcementFailure;

  /**
   * True when a table is already enforced, left by a previous umh: the engine then does not install
   * its initial table (that would open the gap the pins exist to close); the first replace takes
   * over.
   */
  boolean adopted();

  /** The traffic the enforced table counted so far, per entry. */
  List<XtCounters> traffic();

  /** Installing a table failed; the message says why, in one line. */
  final class EnforcementFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public EnforcementFailure(String why) {
      super(why);
    }
  }
}
