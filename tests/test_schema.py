"""One definition of the record: the JSON Schema and the Arrow schema are derived from ``Article`` and agree
with it, and with each other, field for field and type for type."""

from __future__ import annotations

import dataclasses
import importlib
import json
from typing import Any

import pyarrow as pa

from scraper.dataset import DATASET_SCHEMA
from scraper.record import EXTRA_FIELDS, Article, record_fields, record_schema
from tests.conftest import REPO_ROOT

SHIPPED = REPO_ROOT / "scraper" / "article.schema.json"

# The Arrow schema as it was written out by hand before it was derived: Parquet files must not change.
_IMAGE = pa.struct([("url", pa.string()), ("caption", pa.string()), ("credit", pa.string())])
WRITTEN_BY_HAND = pa.schema(
    [
        pa.field("schema_version", pa.int32(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("final_url", pa.string()),
        pa.field("canonical_url", pa.string()),
        pa.field("title", pa.string()),
        pa.field("description", pa.string()),
        pa.field("authors", pa.list_(pa.string()), nullable=False),
        pa.field("published", pa.string()),
        pa.field("modified", pa.string()),
        pa.field("section", pa.string()),
        pa.field("tags", pa.list_(pa.string()), nullable=False),
        pa.field("language", pa.string()),
        pa.field("site_name", pa.string()),
        pa.field("images", pa.list_(_IMAGE), nullable=False),
        pa.field("body", pa.string(), nullable=False),
        pa.field("word_count", pa.int64(), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("fetched_at", pa.string()),
        pa.field("extractor", pa.struct([("name", pa.string()), ("version", pa.string())])),
        pa.field("warc_record_id", pa.string()),
        pa.field("warc_date", pa.string()),
    ],
    metadata={"scraper.dataset": "1", "partitioning": "hive: published_month=YYYY-MM|unknown"},
)


def test_the_shipped_json_schema_is_the_derived_one() -> None:
    assert json.loads(SHIPPED.read_text(encoding="utf-8")) == record_schema()


def test_the_arrow_schema_is_the_one_written_by_hand() -> None:
    assert DATASET_SCHEMA.equals(WRITTEN_BY_HAND, check_metadata=True)


def test_the_record_keys_are_the_schemas_keys_in_order() -> None:
    names = [f.name for f in record_fields()]
    assert names == record_schema()["required"] == list(record_schema()["properties"])[: len(names)]
    assert DATASET_SCHEMA.names == names + list(EXTRA_FIELDS)
    assert list(record_schema()["properties"]) == DATASET_SCHEMA.names
    assert names[0] == "schema_version" and "blocks" not in names
    article = Article.from_dict(
        {
            "id": "0" * 32,
            "body": "x",
            "word_count": 1,
            "content_hash": "0" * 64,
            **{n: None for n in names if n not in ("id", "body", "word_count", "content_hash")},
        }
    )
    assert list(article.to_dict()) == names


def _json_kind(schema: dict[str, Any]) -> tuple[str, bool]:
    """(type, nullable) of a JSON Schema property."""
    if "const" in schema:
        return "integer", False
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return next(t for t in types if t != "null"), "null" in types


_ARROW_KIND = {
    "string": pa.types.is_string,
    "integer": pa.types.is_integer,
    "array": pa.types.is_list,
    "object": pa.types.is_struct,
}


def test_json_and_arrow_schemas_agree_field_for_field_and_type_for_type() -> None:
    properties = record_schema()["properties"]
    required = set(record_schema()["required"])
    for arrow_field in DATASET_SCHEMA:
        kind, nullable = _json_kind(properties[arrow_field.name])
        assert _ARROW_KIND[kind](arrow_field.type), arrow_field
        if kind == "object":  # the struct's children are the object's properties, all strings
            assert [c.name for c in arrow_field.type] == list(properties[arrow_field.name]["properties"])
            # a record written elsewhere may lack it: the dataset keeps a null rather than refuse the row
            assert arrow_field.nullable
        else:
            assert arrow_field.nullable == (nullable or arrow_field.name not in required), arrow_field
        if kind == "array":
            items = properties[arrow_field.name]["items"]
            value_type = arrow_field.type.value_type
            if items["type"] == "object":
                assert [c.name for c in value_type] == items["required"] == list(items["properties"])
            else:
                assert _ARROW_KIND[items["type"]](value_type)


def test_metadata_fields_have_the_record_fields_types() -> None:
    """``Metadata`` (what a page says) fills record fields of the same name: their types are the same."""
    metadata = importlib.import_module("scraper.metadata").Metadata
    record_types = {f.name: f.type for f in dataclasses.fields(Article)}
    shared = [f for f in dataclasses.fields(metadata) if f.name in record_types]
    assert len(shared) >= 9
    for f in shared:
        assert f.type == record_types[f.name], f.name
