package bpfilterctl.core.bpf;

/** Every MatchProgramTest case with each entry compiled with one jump (accumulated tests). */
class MatchProgramAccumulatedTest extends MatchProgramTest {
  @Override
  FilterBed newBed() {
    return new FilterBed().accumulated();
  }
}
