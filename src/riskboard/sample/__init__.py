"""Synthetic IRIS registers and workbooks: the demo workspace, tests and benchmarks."""
