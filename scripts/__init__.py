"""Scripts: the demo station generator, the start and test commands, benchmarks."""
