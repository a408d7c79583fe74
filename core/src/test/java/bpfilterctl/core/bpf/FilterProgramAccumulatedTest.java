package bpfilterctl.core.bpf;

import org.junit.jupiter.api.BeforeEach;

/**
 * Every FilterProgramTest case with each entry compiled with one jump (tests OR their failures
 * together), as tables too big for eager tests are.
 */
class FilterProgramAccumulatedTest extends FilterProgramTest {
  @BeforeEach
  @Override
  void setUp() {
    FilterBed.assumeBpf();
    bed = new FilterBed().accumulated();
  }
}
