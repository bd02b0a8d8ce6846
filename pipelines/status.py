"""The exit status of every newswatch command (README, "Commands"): one place for the fact.

0 success; 1 the run finished but some inputs failed (they are rows of ``ingest_errors``); 2 bad usage or
configuration (nothing was done); 3 newswatch itself crashed (a bug: the traceback, then one line).
"""

EXIT_OK, EXIT_INPUT_ERRORS, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3
