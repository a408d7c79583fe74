package bpfilterctl.core.rules;

/** The usage text of the iptables front-end (-h). */
final class IptablesHelp {
  private IptablesHelp() {}

  static String text() {
    return String.join(
        "\n",
        "iptables v1.8.9 (legacy), the bpfilterctl front-end",
        "",
        "Usage: iptables -[ACD] chain rule-specification [options]",
        "       iptables -I chain [rulenum] rule-specification [options]",
        "       iptables -R chain rulenum rule-specification [options]",
        "       iptables -D chain rulenum [options]",
        "       iptables -[LS] [chain [rulenum]] [options]",
        "       iptables -[FZ] [chain] [options]",
        "       iptables -[NX] chain",
        "       iptables -E old-chain-name new-chain-name",
        "       iptables -P chain target [options]",
        "       iptables -h (print this help text)",
        "",
        "Commands:",
        "  --append  -A chain            add rules at the end of a chain",
        "  --check   -C chain            see whether a rule exists in a chain",
        "  --delete  -D chain            delete the rules that match the specification",
        "  --delete  -D chain rulenum    delete rule number rulenum (1 is the first)",
        "  --insert  -I chain [rulenum]  insert rules as number rulenum (default 1)",
        "  --replace -R chain rulenum    replace rule number rulenum",
        "  --list    -L [chain [rulenum]]  list the rules of a chain or of every chain",
        "  --list-rules -S [chain [rulenum]]  print the rules as iptables commands",
        "  --flush   -F [chain]          delete every rule of a chain or of every chain",
        "  --zero    -Z [chain [rulenum]]  zero the counters",
        "  --new-chain -N chain          create a user chain",
        "  --delete-chain -X [chain]     delete an empty, unreferenced user chain (or all)",
        "  --policy  -P chain target     set a built-in chain's policy (ACCEPT or DROP)",
        "  --rename-chain -E old new     rename a user chain",
        "",
        "Options:",
        "  --ipv4    -4                  IPv4 (the only family here)",
        "[!] --protocol -p proto         a protocol by number or name (tcp, udp, icmp, all...)",
        "[!] --source -s address[/mask][,...]  source addresses",
        "[!] --destination -d address[/mask][,...]  destination addresses",
        "[!] --in-interface -i name[+]   input interface (+ is a wildcard)",
        "[!] --out-interface -o name[+]  output interface",
        " --jump -j target               a verdict, a chain or a target extension",
        " --goto -g chain                jump to a chain without returning",
        " --match -m match               a match extension (its options follow it)",
        " --numeric -n                   addresses and ports as numbers",
        " --table -t table               filter (default), nat, mangle, raw or security",
        " --verbose -v                   interfaces, counters and more",
        " --line-numbers                 rule numbers in listings",
        " --exact -x                     counters in full",
        "[!] --fragment -f               second and later fragments only",
        " --set-counters -c PKTS BYTES   set the rule's counters",
        " --wait -w [seconds], --wait-interval -W usecs  accepted; the module serialises",
        " --version -V                   print the version");
  }
}
