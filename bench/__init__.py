"""Benchmarks of tablerecon (pytest-benchmark) and the CP-SAT reference the solver is checked against."""
