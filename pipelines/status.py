"""The exit status of every newswatch command (README, "Commands"): one place for the fact.

0 success; 1 the run finished but some inputs failed (they are rows of ``ingest_errors``); 2 bad usage or
configuration (nothing was done); 3 newswatch itself crashed (a bug: the traceback, then one line); 141 the
reader of its output went away ("newswatch events | head"), as a shell reports SIGPIPE: what was being printed
was cut, and a command killed by the pipe may have left its work unfinished.
"""

EXIT_OK, EXIT_INPUT_ERRORS, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141
