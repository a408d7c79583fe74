package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * The client side of one revision of one match or target, what an iptables libxt_*.c module
 * registers: its options, how they fill the kernel struct, and how a struct prints in {@code -L}
 * and in {@code -S}/save form. Implementations are stateless; per-rule state lives in {@link
 * ExtData}. Every one extends {@link AbstractXtExtension}, which holds the fixed facts.
 */
public sealed interface XtExtension permits AbstractXtExtension {
  ExtensionKind kind();

  /** The name given after -m or -j (e.g. "state"). */
  String name();

  /** The name written into the blob, when it differs (libxtables' real_name: "conntrack"). */
  default String realName() {
    return name();
  }

  int revision();

  /** The kernel struct's size before XT_ALIGN. */
  int dataSize();

  /** The leading bytes that tell two rules apart for -D/-C/-R (libxtables' userspacesize). */
  default int userSpaceSize() {
    return dataSize();
  }

  List<XtOption> options();

  /** Defaults before any option is parsed (libxtables' init). */
  default void init(ExtData d) {}

  /** One option; {@code d.seen()} already includes {@code arg.id()}. */
  void parse(XtArg arg, ExtData d) throws RuleException;

  /**
   * After the last option (x6_fcheck); the generic must/also/excl checks have passed. Targets and
   * matches that need options complain here.
   */
  default void finalCheck(ExtData d) throws RuleException {}

  /**
   * The {@code -L} text, appended after the rule's columns: iptables' print(), each item with its
   * leading space, e.g. " tcp dpt:22".
   */
  void print(ExtData d, boolean numeric, StringBuilder out);

  /** The {@code -S}/save text of the options, each with its leading space, e.g. " --dport 22". */
  void save(ExtData d, StringBuilder out);

  /** The name printed after "-m" in save form (libxtables' alias()): "state" for conntrack. */
  default String alias(ExtData d) {
    return realName();
  }
}
