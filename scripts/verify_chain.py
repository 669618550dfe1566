#!/usr/bin/env python3
"""An independent verifier of loan-ledger's audit hash chains.

Written from docs/audit-chain.md alone (the specification), with the Python
standard library only, so that an auditor can check the trail without
trusting, or even installing, loan-ledger itself. It reads audit events as
JSON lines and checks every chain it finds.

Input: one JSON object per line with the fifteen columns of `audit_events`
(`id`, `application_id`, `event_type`, `actor_id`, `actor_type`,
`actor_role`, `agent_name`, `confidence_score`, `reasoning`,
`input_data_hash`, `previous_state`, `new_state`, `metadata`,
`prev_event_hash`, `created_at`), grouped by chain and in ascending `id`
order within a chain. Values may be as PostgreSQL prints them: `created_at`
in any session time zone, `confidence_score` at any NUMERIC scale,
`metadata` as a JSON object or as its text. One way to produce it (any
client will do; the columns are cast to text so nothing is lost on the way):

    SELECT json_build_object(
      'id', id::text, 'application_id', application_id::text,
      'event_type', event_type, 'actor_id', actor_id, 'actor_type', actor_type,
      'actor_role', actor_role, 'agent_name', agent_name,
      'confidence_score', confidence_score::text, 'reasoning', reasoning,
      'input_data_hash', input_data_hash, 'previous_state', previous_state,
      'new_state', new_state, 'metadata', metadata::text,
      'prev_event_hash', prev_event_hash, 'created_at', created_at::text)
    FROM audit_events ORDER BY application_id NULLS FIRST, id;

Usage: verify_chain.py [--json] [FILE]     (standard input when FILE is absent)

Output: one line per chain and a summary, or with --json one document:
{"chains": [{"chain", "applicationId", "status": "intact", "events", "head":
{"id", "hash"}} | {"chain", "applicationId", "status": "broken", "events",
"firstBadEventId", "position", "field", "detail"}], "summary": {"chains",
"intact", "broken", "events"}, "ok"}.

Exit codes: 0 every chain intact, 1 a chain is broken, 2 unusable input.

Memory is constant in the length of a chain: each chain is checked as its
rows stream by, carrying only the previous event's id and hash.

As the specification says, a hash chain cannot show a change to the last
event of a chain, a truncated tail or a rewritten suffix; those need the
reported heads kept outside the database and compared later.
"""

import hashlib
import json
import re
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

SENTINEL = "0" * 64
MAX_SAFE_INTEGER = 2 ** 53 - 1

EVENT_TYPES = {
    "state_transition", "agent_decision", "routing_decision", "human_review", "document_upload",
    "document_access", "auth_event", "key_management", "threshold_change", "maintenance",
}
ACTOR_TYPES = {"api_key", "operator", "system", "agent", "anonymous"}
ROLES = {"loan_officer", "senior_underwriter", "reviewer"}
STATUSES = {
    "draft", "submitted", "processing", "awaiting_review", "approved", "denied", "withdrawn",
    "processing_error",
}
COLUMNS = (
    "actor_id", "actor_role", "actor_type", "agent_name", "application_id", "confidence_score",
    "created_at", "event_type", "id", "input_data_hash", "metadata", "new_state", "prev_event_hash",
    "previous_state", "reasoning",
)

HEX64 = re.compile(r"^[0-9a-f]{64}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
EVENT_ID = re.compile(r"^[1-9][0-9]*$")
# Date, `T` or space, time with 0-6 fractional digits, and a mandatory zone:
# Z, +HH, +HH:MM or +HH:MM:SS (PostgreSQL prints historical offsets such as +00:53:28).
TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?"
    r"(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)$"
)


class Invalid(Exception):
    """A column whose value the specification does not allow: a break at that event."""

    def __init__(self, column, reason):
        super().__init__(reason)
        self.column = column
        self.reason = reason


class BadInput(Exception):
    """The input is not what this tool reads (exit code 2)."""


# -- canonical JSON (specification: "Canonical bytes of an event", rules 1-5) --

def js_string(text, column):
    """A string as ECMAScript JSON.stringify writes it (rule 4)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if code == 0:
            raise Invalid(column, "contains U+0000")
        if 0xD800 <= code <= 0xDFFF:
            raise Invalid(column, "contains an unpaired surrogate")
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20:
            out.append("\\u%04x" % code)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical_number(value, column):
    """Integers of magnitude at most 2^53 - 1 in plain decimal; `1.0`, `1e0` are 1, `-0` is 0."""
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise Invalid(column, "holds a number that is not an integer")
        value = int(value)
    if abs(value) > MAX_SAFE_INTEGER:
        raise Invalid(column, "holds an integer beyond 2^53 - 1")
    return str(value)


def canonical_json(value, path):
    """Canonical JSON of a value; `path` names where a bad value sits (`metadata.checklist.1`)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, Decimal)):
        return canonical_number(value, path)
    if isinstance(value, str):
        return js_string(value, path)
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(item, "%s.%d" % (path, i)) for i, item in enumerate(value)) + "]"
    if isinstance(value, dict):
        # Members by the UTF-8 bytes of their keys (code point order, not UTF-16 units).
        try:
            keys = sorted(value, key=lambda k: k.encode("utf-8"))
        except UnicodeEncodeError:
            raise Invalid(path, "has a key with an unpaired surrogate")
        return "{" + ",".join(js_string(k, path) + ":" + canonical_json(value[k], path + "." + k) for k in keys) + "}"
    raise Invalid(path, "holds a value JSON cannot express")


def load_json(text):
    """JSON with exact numbers (Decimal, never float); duplicate keys: the last wins, as in jsonb."""
    def constant(name):
        raise ValueError("not JSON: " + name)
    return json.loads(text, parse_float=Decimal, parse_int=int, parse_constant=constant)


# -- normalising what PostgreSQL hands back ------------------------------------

def canonical_timestamp(value):
    if not isinstance(value, str):
        raise Invalid("created_at", "is not a timestamp text")
    match = TIMESTAMP.match(value)
    if match is None:
        raise Invalid("created_at", "is not an ISO 8601 timestamp with a time zone")
    year, month, day, hour, minute, second, fraction, zulu, sign, oh, om, os_ = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                         int((fraction or "").ljust(6, "0")))
    except ValueError:
        raise Invalid("created_at", "is not a valid date and time")
    if zulu is None:
        hours, minutes, seconds = int(oh), int(om or 0), int(os_ or 0)
        if hours > 15 or minutes > 59 or seconds > 59:
            raise Invalid("created_at", "has an invalid offset")
        offset = timedelta(hours=hours, minutes=minutes, seconds=seconds)
        if sign == "-":
            offset = -offset
    else:
        offset = timedelta(0)
    try:
        utc = (local - offset).replace(tzinfo=timezone.utc)
    except OverflowError:
        raise Invalid("created_at", "is outside the years 1-9999")
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond)


def canonical_confidence(value):
    if value is None:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise Invalid("confidence_score", "is not a decimal")
    if isinstance(value, str) and not re.match(r"^\d+(\.\d+)?$", value):
        raise Invalid("confidence_score", "is not a plain decimal")
    if not number.is_finite() or number < 0 or number > 1:
        raise Invalid("confidence_score", "is not between 0 and 1")
    if number != number.quantize(Decimal("0.001")):
        raise Invalid("confidence_score", "has more than three decimals")
    return format(number.quantize(Decimal("0.001")), "f")


def canonical_id(value):
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or EVENT_ID.match(text) is None or int(text) > 2 ** 63 - 1:
        raise Invalid("id", "is not a positive BIGINT")
    return text


def text_or_null(row, column, allowed=None, pattern=None):
    value = row.get(column)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(column, "is not text")
    if allowed is not None and value not in allowed:
        raise Invalid(column, "holds a value the specification does not allow")
    if pattern is not None and pattern.match(value) is None:
        raise Invalid(column, "does not have the specified form")
    return value


def required_text(row, column, allowed=None, pattern=None):
    value = text_or_null(row, column, allowed, pattern)
    if value is None:
        raise Invalid(column, "is missing")
    return value


def canonical_event(row):
    """The fifteen members of the canonical object, normalised; Invalid names the offending column."""
    metadata = row.get("metadata")
    if isinstance(metadata, str):
        try:
            metadata = load_json(metadata)
        except ValueError:
            raise Invalid("metadata", "is not valid JSON")
    if not isinstance(metadata, dict):
        raise Invalid("metadata", "is not a JSON object")
    application_id = row.get("application_id")
    if application_id is not None:
        if not isinstance(application_id, str) or UUID.match(application_id.lower()) is None:
            raise Invalid("application_id", "is not a uuid")
        application_id = application_id.lower()
    return {
        "actor_id": required_text(row, "actor_id"),
        "actor_role": text_or_null(row, "actor_role", ROLES),
        "actor_type": required_text(row, "actor_type", ACTOR_TYPES),
        "agent_name": text_or_null(row, "agent_name"),
        "application_id": application_id,
        "confidence_score": canonical_confidence(row.get("confidence_score")),
        "created_at": canonical_timestamp(row.get("created_at")),
        "event_type": required_text(row, "event_type", EVENT_TYPES),
        "id": canonical_id(row.get("id")),
        "input_data_hash": text_or_null(row, "input_data_hash", pattern=HEX64),
        "metadata": metadata,
        "new_state": text_or_null(row, "new_state", STATUSES),
        "prev_event_hash": required_text(row, "prev_event_hash", pattern=HEX64),
        "previous_state": text_or_null(row, "previous_state", STATUSES),
        "reasoning": text_or_null(row, "reasoning"),
    }


def canonical_bytes(event):
    """UTF-8 of one JSON object, members in the order of COLUMNS (the byte order of the keys)."""
    parts = []
    for column in COLUMNS:
        value = event[column]
        parts.append(js_string(column, column) + ":" + canonical_json(value, column))
    return ("{" + ",".join(parts) + "}").encode("utf-8")


# -- verification (specification: "Verification") ------------------------------

def chain_name(application_id):
    return "system" if application_id is None else "application:" + application_id


class ChainWalk:
    """The fold over one chain: constant state whatever its length."""

    def __init__(self, application_id):
        self.application_id = application_id
        self.events = 0
        self.last_id = None
        self.last_hash = SENTINEL
        self.broken = None

    def step(self, row):
        if self.broken is not None:
            return
        raw_id = row.get("id")
        shown_id = str(raw_id)
        position = self.events
        self.events += 1
        # 1. the event belongs to the chain.
        application_id = row.get("application_id")
        if (application_id.lower() if isinstance(application_id, str) else application_id) != self.application_id:
            self.broken = (shown_id, position, "application_id", "the event does not belong to this chain")
            return
        # 2. ids ascend.
        try:
            event_id = int(canonical_id(raw_id))
        except Invalid:
            self.broken = (shown_id, position, "id", "the id is not a positive BIGINT")
            return
        if self.last_id is not None and event_id <= self.last_id:
            self.broken = (shown_id, position, "id", "id %d does not follow id %d" % (event_id, self.last_id))
            return
        # 3. the link.
        if row.get("prev_event_hash") != self.last_hash:
            detail = ("prev_event_hash of the first event is not the sentinel" if self.last_id is None
                      else "prev_event_hash does not match the hash of event %d" % self.last_id)
            self.broken = (shown_id, position, "prev_event_hash", detail)
            return
        # 4. every column valid; 5. carry this event's hash.
        try:
            digest = hashlib.sha256(canonical_bytes(canonical_event(row))).hexdigest()
        except Invalid as problem:
            self.broken = (shown_id, position, problem.column, problem.column + " " + problem.reason)
            return
        self.last_id = event_id
        self.last_hash = digest

    def report(self):
        base = {"chain": chain_name(self.application_id), "applicationId": self.application_id}
        if self.broken is None:
            head = None if self.last_id is None else {"id": str(self.last_id), "hash": self.last_hash}
            return dict(base, status="intact", events=self.events, head=head)
        event_id, position, field, detail = self.broken
        return dict(base, status="broken", events=self.events, firstBadEventId=event_id, position=position,
                    field=field, detail=detail)


def rows_of(stream):
    for number, line in enumerate(stream, start=1):
        if line.strip() == "":
            continue
        try:
            row = load_json(line)
        except ValueError:
            raise BadInput("line %d is not JSON" % number)
        if not isinstance(row, dict):
            raise BadInput("line %d is not a JSON object" % number)
        yield row


def chains_of(rows):
    """Consecutive rows of one chain, as (application_id, walk); a chain seen twice is an input error."""
    seen = set()
    walk = None
    for row in rows:
        key = row.get("application_id")
        key = key.lower() if isinstance(key, str) else key
        if key is not None and not isinstance(key, str):
            raise BadInput("application_id must be a uuid text or null")
        if walk is None or key != walk.application_id:
            if walk is not None:
                yield walk
            if key in seen:
                raise BadInput("the rows of chain %s are not contiguous; order the input by chain, then id" % chain_name(key))
            seen.add(key)
            walk = ChainWalk(key)
        walk.step(row)
    if walk is not None:
        yield walk


def human_line(report):
    if report["status"] == "intact":
        return "ok       %s  %d events" % (report["chain"], report["events"])
    return "BROKEN   %s  first bad event %s (%s): %s" % (
        report["chain"], report["firstBadEventId"], report["field"], report["detail"])


def main(argv):
    args = list(argv[1:])
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    if any(a.startswith("-") and a != "-" for a in args) or len(args) > 1:
        sys.stderr.write("usage: verify_chain.py [--json] [FILE]\n")
        return 2
    stream = sys.stdin if not args or args[0] == "-" else open(args[0], encoding="utf-8")
    totals = {"chains": 0, "intact": 0, "broken": 0, "events": 0}
    out = sys.stdout
    try:
        if as_json:
            out.write('{"chains":[')
        for walk in chains_of(rows_of(stream)):
            report = walk.report()
            totals["chains"] += 1
            totals["events"] += report["events"]
            totals["intact" if report["status"] == "intact" else "broken"] += 1
            if as_json:
                out.write(("," if totals["chains"] > 1 else "") + json.dumps(report, separators=(",", ":")))
            else:
                out.write(human_line(report) + "\n")
    except BadInput as problem:
        if as_json:
            out.write("\n")
        sys.stderr.write("verify_chain.py: %s\n" % problem)
        return 2
    finally:
        if stream is not sys.stdin:
            stream.close()
    if as_json:
        out.write('],"summary":%s,"ok":%s}\n' % (json.dumps(totals, separators=(",", ":")),
                                                 "true" if totals["broken"] == 0 else "false"))
    else:
        out.write("verified %d chains, %d events: %d intact, %d broken\n" % (
            totals["chains"], totals["events"], totals["intact"], totals["broken"]))
    return 0 if totals["broken"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
