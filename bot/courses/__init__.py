"""The course catalogue: parsing, validating, fetching, importing, ranking and a sample."""
