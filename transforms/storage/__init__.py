"""Where results go: the DuckDB sink (and its snapshot for readers), Parquet shards for distributed runs."""
