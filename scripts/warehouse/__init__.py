"""Builds the leadscore warehouse: validate raw CSVs, load DuckDB, dbt build, export.

Entry point: scripts/load_duckdb (see pipeline.build_warehouse).
"""
