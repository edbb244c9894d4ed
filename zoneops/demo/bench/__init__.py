"""The benchmarks behind `zoneops bench`: one module per target (see the command)."""
