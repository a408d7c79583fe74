package bpfilterctl.core.bpf;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test class whose every test gets a fresh {@link FilterBed} (skipped where BPF is unavailable)
 * and has it closed after, whatever the outcome.
 */
abstract class FilterBedTest {
  FilterBed bed;

  @BeforeEach
  void openBed() {
    FilterBed.assumeBpf();
    bed = newBed();
  }

  /** The bed each test starts with; a subclass compiles another way (e.g. accumulated). */
  FilterBed newBed() {
    return new FilterBed();
  }

  @AfterEach
  void closeBed() {
    if (bed != null) {
      bed.close();
    }
  }
}
