"""Jobs over scenario files: batches of solves (locally or on a Dask cluster) and comparisons."""
