package bpfilterctl.core.rules;

import bpfilterctl.core.abi.ext.ExtensionKind;
import bpfilterctl.core.rules.ext.ExtData;
import bpfilterctl.core.rules.ext.XtArg;
import bpfilterctl.core.rules.ext.XtExtension;
import bpfilterctl.core.rules.ext.XtOption;
import java.util.List;

/** The client extensions the front-end knows, and libxtables' generic option handling for them. */
public interface ExtensionCatalog {
  /** Every revision of {@code name} we can build, highest first (libxtables' pending list). */
  List<XtExtension> candidates(ExtensionKind kind, String name);

  /**
   * xtables_option_parse: the once/invert checks against {@code d.seen()}, then the option type's
   * parse. Does not mark the option seen.
   */
  XtArg parseOption(XtExtension ext, XtOption option, String arg, boolean invert, ExtData d)
      throws RuleException;

  /** xtables_options_fcheck: must-be-specified, also-requires, cannot-be-used-together. */
  void checkOptions(XtExtension ext, ExtData d) throws RuleException;
}
