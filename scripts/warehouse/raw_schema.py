"""The raw tables as docs/sources.md defines them: how DuckDB reads each export, and how
each field is checked.

Every source is read by DuckDB with explicit column types (no sniffing, so a file with a
renamed field reads as NULLs and is reported, not silently retyped). INT64 values may be
JSON strings or numbers (BigQuery writes strings); the fields validated here are read as
text and converted once they passed. A check is SQL over one raw row yielding a short
problem text, or NULL when the row is fine, so one scan validates a whole table.
"""

from __future__ import annotations

from dataclasses import dataclass

RAW_SCHEMA = "raw"
# Columns the loader adds to every raw table: the file a row came from (as shown to the
# user); row order within a file is the table's insertion order (see raw_load).
FILE_COLUMN = "_file"

INT64_PATTERN = "-?[0-9]+"
ISO_PATTERN = (
    "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?"
    "(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)
ISO_SHAPE = "ISO 8601, e.g. 2017-06-01T12:34:56.789Z"

EVENT_PARAM_TYPE = (
    "STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR, int_value BIGINT, "
    "float_value DOUBLE, double_value DOUBLE))[]"
)
# Only cross_channel_campaign is read from the last-click record (its channel group).
LAST_CLICK_TYPE = (
    "STRUCT(cross_channel_campaign STRUCT(campaign_id VARCHAR, campaign_name VARCHAR, "
    "source VARCHAR, medium VARCHAR, source_platform VARCHAR, default_channel_group VARCHAR, "
    "primary_channel_group VARCHAR))"
)
ASSOCIATIONS_TYPE = "STRUCT(contacts STRUCT(results STRUCT(id VARCHAR, type VARCHAR)[]))"


@dataclass(frozen=True)
class Column:
    name: str
    read_type: str  # the DuckDB type the file is read as
    load_type: str | None = None  # converted to this once validated (None: kept)


@dataclass(frozen=True)
class Check:
    field: str  # the field as the export names it, e.g. properties.createdate
    value_sql: str  # the offending value shown in the message (text)
    problem_sql: str  # a problem text, or NULL when the row is fine


@dataclass(frozen=True)
class RawSource:
    table: str  # raw.<table>
    what: str  # for messages, e.g. "GA4 event"
    columns: tuple[Column, ...]
    checks: tuple[Check, ...]

    def read_columns_sql(self) -> str:
        """The `columns` argument of read_json."""
        return "{" + ", ".join(f"'{c.name}': '{c.read_type}'" for c in self.columns) + "}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _required(field: str, column: str, advice: str = "") -> Check:
    extra = f" {advice}" if advice else ""
    return Check(field, "NULL", f"CASE WHEN {column} IS NULL THEN 'is missing{extra}' END")


def _int64(field: str, column: str) -> Check:
    return Check(
        field,
        column,
        f"CASE WHEN {column} IS NOT NULL AND (NOT regexp_full_match({column}, '{INT64_PATTERN}') "
        f"OR TRY_CAST({column} AS BIGINT) IS NULL) "
        "THEN 'is not an INT64 (expected microseconds since 1970-01-01 UTC)' END",
    )


def _iso_timestamp(field: str, value: str, required: bool) -> Check:
    missing = f"WHEN {value} IS NULL THEN 'is missing (a timestamp is required)' " if required else ""
    return Check(
        field,
        value,
        f"CASE {missing}WHEN {value} IS NOT NULL AND (NOT regexp_full_match({value}, "
        f"'{ISO_PATTERN}') OR TRY_CAST({value} AS TIMESTAMPTZ) IS NULL) "
        f"THEN 'is not a valid timestamp ({ISO_SHAPE})' END",
    )


def property_sql(name: str) -> str:
    """A HubSpot property (text or NULL) from the `properties` JSON column."""
    path = "$." + '"' + name.replace("'", "''").replace('"', '\\"') + '"'
    return f"json_extract_string(properties, '{path}')"


GA4_EVENTS = RawSource(
    table="ga4_events",
    what="GA4 event",
    columns=(
        Column("event_date", "VARCHAR"),
        Column("event_timestamp", "VARCHAR", load_type="BIGINT"),
        Column("event_name", "VARCHAR"),
        Column("event_params", EVENT_PARAM_TYPE),
        Column("user_pseudo_id", "VARCHAR"),
        Column("user_id", "VARCHAR"),
        Column("traffic_source", "STRUCT(name VARCHAR, medium VARCHAR, source VARCHAR)"),
        Column(
            "collected_traffic_source",
            "STRUCT(manual_campaign_id VARCHAR, manual_campaign_name VARCHAR, "
            "manual_source VARCHAR, manual_medium VARCHAR, manual_term VARCHAR, "
            "manual_content VARCHAR, gclid VARCHAR, dclid VARCHAR, srsltid VARCHAR)",
        ),
        Column("session_traffic_source_last_click", LAST_CLICK_TYPE),
        Column("platform", "VARCHAR"),
        Column("stream_id", "VARCHAR"),
    ),
    checks=(
        _required("event_date", "event_date"),
        _required("event_timestamp", "event_timestamp"),
        _int64("event_timestamp", "event_timestamp"),
        _required("event_name", "event_name"),
        _required("event_params", "event_params"),
        _required("user_pseudo_id", "user_pseudo_id"),
        Check(
            "event_params",
            "NULL",
            "CASE WHEN event_params IS NOT NULL AND len(list_filter(event_params, "
            "lambda p: p.key = 'ga_session_id' AND coalesce(CAST(p.value.int_value AS VARCHAR), "
            "p.value.string_value) IS NOT NULL)) = 0 "
            "THEN 'has no ga_session_id parameter: the event''s session cannot be known "
            "(export event_params as GA4 writes them)' END",
        ),
    ),
)


def hubspot_contacts(ga4_property: str) -> RawSource:
    return RawSource(
        table="hubspot_contacts",
        what="HubSpot contact",
        columns=(
            Column("id", "VARCHAR"),
            Column("properties", "JSON"),
            Column("createdAt", "VARCHAR"),
            Column("updatedAt", "VARCHAR"),
            Column("archived", "BOOLEAN"),
        ),
        checks=(
            _required("id", "id"),
            _required("properties", "properties"),
            _iso_timestamp(
                "properties.createdate", property_sql("createdate"), required=True
            ),
            Check(
                f"properties.{ga4_property}",
                f"CAST(json_extract(properties, '$.\"{ga4_property}\"') AS VARCHAR)",
                f"CASE WHEN json_type(properties, '$.\"{ga4_property}\"') "
                "NOT IN ('VARCHAR', 'NULL') THEN 'is not a string (one GA4 client id)' END",
            ),
        ),
    )


HUBSPOT_DEALS = RawSource(
    table="hubspot_deals",
    what="HubSpot deal",
    columns=(
        Column("id", "VARCHAR"),
        Column("properties", "JSON"),
        Column("associations", ASSOCIATIONS_TYPE),
        Column("createdAt", "VARCHAR"),
        Column("updatedAt", "VARCHAR"),
        Column("archived", "BOOLEAN"),
    ),
    checks=(
        _required("id", "id"),
        _required("properties", "properties"),
        Check(
            "properties.dealstage",
            "NULL",
            f"CASE WHEN properties IS NOT NULL AND {property_sql('dealstage')} IS NULL "
            "THEN 'is missing (every deal has a stage)' END",
        ),
        _iso_timestamp("properties.closedate", property_sql("closedate"), required=False),
        Check(
            "properties.amount",
            property_sql("amount"),
            f"CASE WHEN {property_sql('amount')} IS NOT NULL "
            f"AND TRY_CAST({property_sql('amount')} AS DECIMAL(18, 2)) IS NULL "
            "THEN 'is not a decimal number' END",
        ),
    ),
)


def quote_identifier(name: str) -> str:
    return _quote(name)
