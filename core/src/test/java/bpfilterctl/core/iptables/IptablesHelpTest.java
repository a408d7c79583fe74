package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.LegacyKernel.Outcome;
import bpfilterctl.core.json.JsonReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * -h against iptables-legacy 1.8.9's recorded output (core/src/test/scripts/record_help.py): the
 * usage text alone, with "-m NAME" for every match and "-j NAME" for every target we know, with "-p
 * PROTO", and with several at once; stdout and exit status byte for byte. Stderr too, except the
 * kernel's word that one of its modules is missing (our module has them all).
 */
class IptablesHelpTest {
  static Stream<Map<String, Object>> recorded() throws IOException {
    try (InputStream in = IptablesHelpTest.class.getResourceAsStream("/rules/help/recorded.json")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> all = (List<Map<String, Object>>) JsonReader.parse(text);
      return all.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recorded")
  void helpIsIptablesLegacysText(Map<String, Object> r) throws Exception {
    @SuppressWarnings("unchecked")
    List<String> argv = (List<String>) r.get("argv");
    Outcome ours = new OurFrontEnd().iptables(argv.toArray(String[]::new));
    assertThat(ours.out()).isEqualTo(r.get("stdout"));
    assertThat((long) ours.status()).isEqualTo(((Number) r.get("rc")).longValue());
    String err = (String) r.get("stderr");
    if (!err.contains("not supported, missing kernel module?")) {
      assertThat(ours.err()).isEqualTo(err);
    }
  }
}
