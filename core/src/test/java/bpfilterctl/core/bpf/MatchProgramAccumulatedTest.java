package bpfilterctl.core.bpf;

import org.junit.jupiter.api.BeforeEach;

/** Every MatchProgramTest case with each entry compiled with one jump (accumulated tests). */
class MatchProgramAccumulatedTest extends MatchProgramTest {
  @BeforeEach
  @Override
  void setUp() {
    FilterBed.assumeBpf();
    bed = new FilterBed().accumulated();
  }
}
