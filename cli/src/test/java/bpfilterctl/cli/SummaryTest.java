package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.complete.Summary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every command's summary (its help listing, Tab description and man NAME line) is a whole
 * sentence, and its description is paragraphs picocli wraps, not lines broken by hand. The commands
 * are read from the model, so a new one is checked without touching this test.
 */
class SummaryTest {
  static List<CommandSpec> everyCommand() {
    PrintWriter sink = new PrintWriter(new StringWriter());
    try (Session s = Session.embedded()) {
      CommandLine root = Commands.create(s, sink, sink);
      List<CommandSpec> out = new ArrayList<>();
      collect(root, out);
      return out;
    }
  }

  private static void collect(CommandLine cl, List<CommandSpec> into) {
    if (!into.contains(cl.getCommandSpec())) {
      into.add(cl.getCommandSpec());
      cl.getSubcommands().values().forEach(sub -> collect(sub, into));
    }
  }

  @Test
  void everySummaryIsAWholeSentence() {
    List<CommandSpec> all = everyCommand();
    assertThat(all).hasSizeGreaterThan(25);
    for (CommandSpec spec : all) {
      String summary = Summary.of(spec);
      assertThat(summary)
          .as(spec.qualifiedName())
          .isNotBlank()
          .doesNotContain("%n", "${")
          .matches("[A-Z].*[.?]")
          .hasSizeLessThanOrEqualTo(100);
    }
  }

  @Test
  void descriptionsAreParagraphsNotHandWrappedLines() {
    for (CommandSpec spec : everyCommand()) {
      for (String line : spec.usageMessage().description()) {
        String text = line.replace("%n", "");
        if (text.isBlank() || text.startsWith(" ")) {
          continue; // a blank line or an indented example
        }
        assertThat(text)
            .as(spec.qualifiedName() + ": a line that continues the one before")
            .matches("[^a-z].*");
      }
    }
  }
}
