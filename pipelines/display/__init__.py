"""What people see: tables, the HTML report, the progress display and the monitor's Prometheus metrics."""
