package bpfilterctl.cli.commands;

import bpfilterctl.core.module.ModuleException;
import java.io.IOException;

/**
 * Where {@code set replace} gets the IPT_SO_SET_REPLACE value (an ipt_replace blob). Today a raw
 * blob file; the iptables front-end adds a source that builds one from an iptables-save file
 * against the live table (its num_entries is the replace's num_counters), which is why a source may
 * call the module.
 */
@FunctionalInterface
public interface ReplaceSource {
  byte[] replaceBlob(CommandSockopts module) throws IOException, ModuleException, SockoptRefused;
}
