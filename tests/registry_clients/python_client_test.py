#!/usr/bin/python3
"""Drives Assay's schema registry with a client we did not write: Debian's python3-confluent-kafka
(confluent_kafka.schema_registry.SchemaRegistryClient), unmodified.

Run with /usr/bin/python3 (the Debian package installs into Debian's Python, not pyenv's):

    /usr/bin/python3 python_client_test.py URL TOKEN write
        registers, reads back, tests compatibility, sets config; prints the ids as JSON (last line)
    /usr/bin/python3 python_client_test.py URL TOKEN verify '<ids JSON>'
        after a restart of assay: everything written before is still there

The token travels as the HTTP Basic password (`basic.auth.user.info`), the client's only auth
option. Exits non-zero on the first failed check, or when the client cannot be imported: a
missing client fails the test, it is never skipped.
"""

import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

SUBJECT = "py-orders-value"
JSON_SUBJECT = "py-events-value"

USER_V1 = json.dumps({
    "type": "record", "name": "Order", "namespace": "com.example",
    "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "double"}],
})
# BACKWARD-compatible with V1: a new optional field with a default.
USER_V2 = json.dumps({
    "type": "record", "name": "Order", "namespace": "com.example",
    "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "double"},
               {"name": "note", "type": ["null", "string"], "default": None}],
})
# Not BACKWARD-compatible: a new field without a default.
USER_BAD = json.dumps({
    "type": "record", "name": "Order", "namespace": "com.example",
    "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "double"},
               {"name": "currency", "type": "string"}],
})
EVENT_JSON = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object", "additionalProperties": False,
    "properties": {"kind": {"type": "string"}, "count": {"type": "integer", "minimum": 0}},
    "required": ["kind"],
})


def check(condition, what):
    if not condition:
        print("FAILED: " + what, file=sys.stderr)
        sys.exit(1)
    print("ok: " + what)


def expect_error(call, status, code, what):
    try:
        call()
    except SchemaRegistryError as e:
        check(e.http_status_code == status and e.error_code == code,
              "{} -> HTTP {} / {} (got {} / {}: {})".format(what, status, code, e.http_status_code,
                                                           e.error_code, e.error_message))
        return
    check(False, what + " raised no SchemaRegistryError")


def write(url, token):
    writer = SchemaRegistryClient({"url": url, "basic.auth.user.info": "assay:" + token})
    # Reads need no token: a client without credentials.
    def reader():
        return SchemaRegistryClient({"url": url})

    id1 = writer.register_schema(SUBJECT, Schema(USER_V1, "AVRO"))
    check(isinstance(id1, int) and id1 >= 1, "register_schema (Avro) returns an id")

    # The client caches what it registered: only a fresh client really asks GET /schemas/ids/{id}.
    fetched = reader().get_schema(id1)
    check(fetched.schema_str == USER_V1 and fetched.schema_type == "AVRO",
          "get_schema by id through a fresh client gives the text as registered")

    latest = reader().get_latest_version(SUBJECT)
    check(latest.schema_id == id1 and latest.version == 1 and latest.subject == SUBJECT
          and latest.schema.schema_str == USER_V1, "get_latest_version")

    check(reader().test_compatibility(SUBJECT, Schema(USER_V2, "AVRO")) is True,
          "test_compatibility of a compatible change is True")
    check(reader().test_compatibility(SUBJECT, Schema(USER_BAD, "AVRO")) is False,
          "test_compatibility of an incompatible change is False")
    expect_error(lambda: writer.register_schema(SUBJECT, Schema(USER_BAD, "AVRO")), 409, 409,
                 "registering an incompatible schema")

    id2 = writer.register_schema(SUBJECT, Schema(USER_V2, "AVRO"))
    check(id2 != id1, "a new schema gets a new id")
    check(reader().get_latest_version(SUBJECT).version == 2, "the new schema is version 2")
    check(reader().get_versions(SUBJECT) == [1, 2], "get_versions")
    found = reader().lookup_schema(SUBJECT, Schema(USER_V1, "AVRO"))
    check(found.schema_id == id1 and found.version == 1, "lookup_schema finds version 1")

    id3 = writer.register_schema(JSON_SUBJECT, Schema(EVENT_JSON, "JSON"))
    fetched = reader().get_schema(id3)
    check(fetched.schema_type == "JSON" and fetched.schema_str == EVENT_JSON,
          "a JSON schema round-trips with its schemaType")
    check(SUBJECT in reader().get_subjects() and JSON_SUBJECT in reader().get_subjects(),
          "get_subjects lists both subjects")

    wrong = SchemaRegistryClient({"url": url, "basic.auth.user.info": "assay:wrong-token"})
    expect_error(lambda: wrong.register_schema("py-other", Schema(USER_V1, "AVRO")), 401, 401,
                 "registering with a wrong token")
    expect_error(lambda: reader().set_compatibility(level="NONE"), 401, 401,
                 "changing the config without a token")

    result = writer.set_compatibility(level="full")
    check(result.get("compatibility") == "FULL", "set_compatibility (global) echoes the level")
    check(reader().get_compatibility() == "FULL", "get_compatibility (global)")
    writer.set_compatibility(subject_name=SUBJECT, level="NONE")
    check(reader().get_compatibility(SUBJECT) == "NONE", "get_compatibility (subject)")
    expect_error(lambda: reader().get_compatibility("py-no-config"), 404, 40408,
                 "get_compatibility of a subject without its own config")
    # NONE on the subject: the incompatible change is accepted now.
    id4 = writer.register_schema(SUBJECT, Schema(USER_BAD, "AVRO"))
    check(reader().get_latest_version(SUBJECT).version == 3, "NONE accepts any change")
    print(json.dumps({"v1": id1, "v2": id2, "json": id3, "v3": id4}))


def verify(url, ids):
    reader = SchemaRegistryClient({"url": url})
    check(reader.get_versions(SUBJECT) == [1, 2, 3], "versions survive a restart")
    latest = reader.get_latest_version(SUBJECT)
    check(latest.schema_id == ids["v3"] and latest.version == 3, "latest survives a restart")
    for key, text, kind in (("v1", USER_V1, "AVRO"), ("v2", USER_V2, "AVRO"),
                            ("json", EVENT_JSON, "JSON")):
        schema = SchemaRegistryClient({"url": url}).get_schema(ids[key])
        check(schema.schema_str == text and schema.schema_type == kind,
              "schema id {} survives a restart".format(ids[key]))
    check(reader.get_compatibility() == "FULL", "global config survives a restart")
    check(reader.get_compatibility(SUBJECT) == "NONE", "subject config survives a restart")


def main():
    url, token, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "write":
        write(url, token)
    elif mode == "verify":
        verify(url, json.loads(sys.argv[4]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
