package bpfilterctl.core.bpf;

/**
 * Every FilterProgramTest case with each entry compiled with one jump (tests OR their failures
 * together), as tables too big for eager tests are.
 */
class FilterProgramAccumulatedTest extends FilterProgramTest {
  @Override
  FilterBed newBed() {
    return new FilterBed().accumulated();
  }
}
