"""Client records as CSV (issue 18), one format both ways: ``casework import records`` reads it
and ``GET /api/v1/staff/records/export.csv`` writes it, so that an export imports again.

The columns are those of ``POST /api/v1/staff/records`` plus the case number. A list or object
field is written in one cell: ``phones`` as ``type:number`` items separated by ``;`` (a number
alone is a mobile number), ``preferred_contact_methods`` as names separated by ``;``, and
``custom_fields`` as a JSON object. An empty cell is a field left out (its default applies).
The export's read-only columns (``id``, ``portal_status``, ``created_at``, ``updated_at``) are
ignored on import.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator

COLUMNS = ("case_number", "kind", "first_name", "last_name", "email", "phones",
           "preferred_contact_methods", "date_of_birth", "client_type_id", "status",
           "custom_fields")
READ_ONLY = ("id", "portal_status", "created_at", "updated_at")
EXPORT_COLUMNS = ("id", *COLUMNS, "portal_status", "created_at", "updated_at")
REQUIRED = ("first_name", "last_name")
NUMBER = re.compile(r"[+-][0-9 ().-]*")


# how a duplicate row is reported when it repeats an earlier row of the same file, by what the
# two share (the records service's duplicate checks: the row key, the case number, the person)
SAME_AS = {"row": "the same row as", "case_number": "the same case number as",
           "person": "the same name and date of birth as"}


class BadFile(ValueError):
    """The file as a whole cannot be imported (its header)."""


class BadRow(ValueError):
    """A row's cell cannot be read; the message says which and why."""


def check_header(fields: list[str] | None) -> None:
    if not fields:
        raise BadFile("the file is empty: its first line must name the columns")
    names = [f.strip() for f in fields]
    unknown = [n for n in names if n not in COLUMNS and n not in READ_ONLY]
    if unknown:
        raise BadFile(f"unknown column(s) {', '.join(unknown)}; the columns are "
                      f"{', '.join(COLUMNS)}")
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise BadFile(f"missing column(s) {', '.join(missing)}")


def parse_phones(cell: str) -> list[dict]:
    phones = []
    for item in cell.split(";"):
        item = item.strip()
        if not item:
            continue
        kind, sep, number = item.partition(":")
        phones.append({"type": kind.strip(), "number": number.strip()} if sep
                      else {"number": item})
    return phones


def row_payload(row: dict) -> dict:
    """A CSV row (column -> cell) as ``POST /staff/records`` takes it; BadRow when a cell cannot
    be read at all (the service checks the values)."""
    payload = {}
    for name, cell in row.items():
        if name is None:
            raise BadRow("the row has more cells than the header has columns")
        name = name.strip()
        if name in READ_ONLY or cell is None or not cell.strip():
            continue
        cell = cell.strip()
        if name == "phones":
            payload[name] = parse_phones(cell)
        elif name == "preferred_contact_methods":
            payload[name] = [m.strip() for m in cell.split(";") if m.strip()]
        elif name == "custom_fields":
            try:
                payload[name] = json.loads(cell)
            except ValueError:
                raise BadRow("custom_fields: not a JSON object") from None
        else:
            payload[name] = cell
    return payload


def read(stream) -> Iterator[tuple[int, dict | BadRow]]:
    """(row number as a spreadsheet shows it, the header being row 1; payload or BadRow)."""
    reader = csv.DictReader(stream)
    check_header(reader.fieldnames)
    for number, row in enumerate(reader, start=2):
        try:
            yield number, row_payload(row)
        except BadRow as exc:
            yield number, exc


def cell(name: str, value) -> str:
    if value is None:
        return ""
    if name == "phones":
        return "; ".join(f"{p.get('type') or 'mobile'}:{p['number']}" for p in value)
    if name == "preferred_contact_methods":
        return ";".join(value)
    if name == "custom_fields":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write(records: Iterable[dict], *, header: bool = True) -> str:
    """Records (as search lists them) as CSV text, with the header line first if asked."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(EXPORT_COLUMNS)
    for record in records:
        writer.writerow([safe(cell(name, record.get(name))) for name in EXPORT_COLUMNS])
    return out.getvalue()


def safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula (=, @, or + and - before anything but a
    number) gets a leading apostrophe (CSV injection)."""
    if text[:1] in ("=", "@", "\t", "\r") or (
            text[:1] in ("+", "-") and not NUMBER.fullmatch(text)):
        return "'" + text
    return text


class EarlierRows:
    """A file's rows against the rows of its earlier batches (the records service compares a
    batch with itself and with the stored records only).

    A dry run creates nothing, so a row repeating a row of an earlier batch would come back
    ``would_create``: it is flagged ``duplicate`` here, by the keys the service answered for each
    row it would create, as the run will flag it. A run flags such a row itself (the earlier
    row's record is stored by then, and the answer names it and what matched): its reason is
    worded here as for two rows of one batch, "the same ... as row N of the file", so that the
    dry run's report is the run's."""

    def __init__(self):
        self.keys: dict[tuple[str, str], int] = {}  # (what, key) -> the row that would create
        self.made: dict[str, int] = {}  # record id -> the row that created it in this run

    def settle(self, results: list[dict]) -> list[dict]:
        """The batch's results, in its order, each without ``match`` and ``keys``."""
        for result in results:
            keys, match = result.pop("keys", None) or {}, result.pop("match", None)
            if result["outcome"] == "created" and result["record_id"]:
                self.made[str(result["record_id"])] = result["row"]
            elif result["outcome"] == "duplicate" and match in SAME_AS and result["record_id"]:
                row = self.made.get(str(result["record_id"]))
                if row is not None:
                    result["reason"] = f"{SAME_AS[match]} row {row} of the file"
            elif result["outcome"] == "would_create":
                twin = next(((what, self.keys[(what, keys[what])]) for what in SAME_AS
                             if keys.get(what) and (what, keys[what]) in self.keys), None)
                if twin:
                    result.update(outcome="duplicate", case_number=None,
                                  reason=f"{SAME_AS[twin[0]]} row {twin[1]} of the file")
                    continue
                for what, key in keys.items():
                    self.keys.setdefault((what, key), result["row"])
        return results
