package bpfilterctl.man;

import bpfilterctl.cli.Commands;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.complete.FrontEndGrammar;
import bpfilterctl.cli.complete.Summary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes one AsciiDoc man page per command of the picocli model (bpfilterctl.adoc,
 * bpfilterctl-status.adoc, ...), with the sections picocli does not know of: environment, files and
 * see also. asciidoctor's manpage backend turns them into troff.
 */
public final class GenerateManPages {
  private GenerateManPages() {}

  /**
   * iptables' own pages are in section 8 (system administration), ours beside them; iptables-xml's
   * is in section 1, as its own is (it only converts text).
   */
  static int section(CommandSpec spec) {
    return FrontEndGrammar.of(spec.name()).isPresent()
            && spec.parent() != null
            && !spec.name().equals("iptables-xml")
        ? 8
        : 1;
  }

  /**
   * Writes section 1's AsciiDoc to DIR, section 8's to DIR8, after emptying both and, when given,
   * the troff pages of an earlier build under MANDIR (a page whose command went must go too).
   */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    for (String d :
        args.length > 1
            ? List.of(args[0], args[0] + "8", args[1])
            : List.of(args[0], args[0] + "8")) {
      emptyTree(Path.of(d));
    }
    Files.createDirectories(dir);
    Files.createDirectories(Path.of(args[0] + "8"));
    try (Session session = Session.embedded()) {
      PrintWriter sink = new PrintWriter(new StringWriter());
      CommandLine root = Commands.create(session, sink, sink);
      // Every command at every depth has its page: get, get-info, get-revision-match...
      List<CommandSpec> specs = new ArrayList<>();
      collect(root, specs);
      List<String> pages =
          specs.stream().map(sp -> "*" + pageName(sp) + "*(" + section(sp) + ")").toList();
      write(dir, root.getCommandSpec(), ManSections.forRoot(pages));
      for (CommandSpec sub : specs) {
        int section = section(sub);
        write(
            section == 8 ? Path.of(args[0] + "8") : dir,
            sub,
            ManSections.forSubcommand(!sub.usageMessage().exitCodeList().isEmpty(), section == 8));
      }
    }
  }

  private static void emptyTree(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return;
    }
    try (var walk = Files.walk(d)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!p.equals(d)) {
          Files.delete(p);
        }
      }
    }
  }

  /** The subcommands below {@code cl}, each once (aliases share a spec), parents first. */
  private static void collect(CommandLine cl, List<CommandSpec> into) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      CommandSpec spec = sub.getCommandSpec();
      if (!into.contains(spec) && !spec.usageMessage().hidden()) {
        into.add(spec);
        collect(sub, into);
      }
    }
  }

  static String pageName(CommandSpec spec) {
    return spec.qualifiedName("-");
  }

  /**
   * picocli's section headings come from the help's ("Exit status:", "Examples:"): a man page's
   * have no colon. Its manual name is the capitalised command; ours is the tool's own spelling.
   */
  static String tidy(String adoc) {
    return adoc.replaceAll("(?m)^(==+ .*):$", "$1")
        .replaceAll("(?m)^:manmanual: .*$", ":manmanual: bpfilterctl manual");
  }

  private static void write(Path dir, CommandSpec spec, String extra) throws IOException {
    StringWriter page = new StringWriter();
    try (PrintWriter pw = new PrintWriter(page)) {
      ManPageGenerator.writeSingleManPage(pw, spec);
    }
    String adoc = nameAndDescription(tidy(page.toString()), spec);
    if (section(spec) != 1) {
      adoc =
          adoc.replace(
              "= " + pageName(spec) + "(1)", "= " + pageName(spec) + "(" + section(spec) + ")");
    }
    Files.writeString(
        dir.resolve(pageName(spec) + ".adoc"),
        adoc.stripTrailing() + "\n\n" + extra,
        StandardCharsets.UTF_8);
  }

  /**
   * NAME is the command's summary, whole; DESCRIPTION goes on from there instead of saying it again
   * (a one-sentence description stays, a page needs one).
   */
  static String nameAndDescription(String adoc, CommandSpec spec) {
    String summary = Summary.of(spec);
    String out =
        adoc.replaceFirst(
            "(?m)^(== Name\\n\\n)" + Pattern.quote(pageName(spec)) + " - .*$",
            "$1" + Matcher.quoteReplacement(pageName(spec) + " - " + summary));
    return out.replaceFirst("(== Description\\n\\n)" + Pattern.quote(summary) + "\\n(?=\\S)", "$1");
  }
}
