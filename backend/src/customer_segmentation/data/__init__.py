"""Getting the customer table: fetch the canonical file, read any table, validate and clean it."""
