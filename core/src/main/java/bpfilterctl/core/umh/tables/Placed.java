package bpfilterctl.core.umh.tables;

import bpfilterctl.core.kernel.KernelExtension;

/** A match or target found in an entry: where it starts in the blob, and who implements it. */
record Placed(int offset, KernelExtension extension) {}
