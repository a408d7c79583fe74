package bpfilterctl.core.umh.tables;

import bpfilterctl.core.abi.XtEntryTarget;
import bpfilterctl.core.abi.ext.ExtensionKind;
import bpfilterctl.core.abi.ext.KernelExtension;

/**
 * The two targets ip_tables.c registers itself (not modules): the standard target and ERROR. Used
 * when the extension registry does not provide them.
 */
record BuiltinTarget(String name, int dataSize) implements KernelExtension {
  /** XT_STANDARD_TARGET: targetsize sizeof(int). */
  static final BuiltinTarget STANDARD = new BuiltinTarget(XtEntryTarget.STANDARD, 4);

  /** XT_ERROR_TARGET: targetsize XT_FUNCTION_MAXNAMELEN. */
  static final BuiltinTarget ERROR = new BuiltinTarget(XtEntryTarget.ERROR, 30);

  @Override
  public ExtensionKind kind() {
    return ExtensionKind.TARGET;
  }

  @Override
  public int revision() {
    return 0;
  }
}
