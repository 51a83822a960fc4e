#!/usr/bin/env python3
"""Writes the bundled sample data under samples/ (deterministic: the same bytes every time).

Most rows are clean; the rest carry realistic defects in every quality dimension so that a run
shows all four tiers: missing keys (completeness), malformed numbers and timestamps (schema),
out-of-range and unknown values (accuracy), stale events (timeliness), totals that do not add up
(consistency), and rows that cannot be parsed at all.
"""
import csv
import gzip
import io
import json
import os
import random
from datetime import datetime, timedelta, timezone

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples")
CURRENCIES = ["USD", "EUR", "GBP", "JPY"]
PAYMENTS = ["card", "cash", "paypal", "voucher"]
CHANNELS = ["store", "online", "mobile"]
FIELDS = ["transaction_id", "customer_id", "product_id", "store_id", "quantity", "unit_price",
          "discount", "total_amount", "currency", "payment_method", "channel", "transaction_ts",
          "customer_email"]


def ts(dt, rnd):
    offset = rnd.choice([0, 0, 0, 60, -300, 330])
    local = dt.astimezone(timezone(timedelta(minutes=offset)))
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if rnd.random() < 0.3:
        text += ".%03d" % rnd.randrange(1000)
    return text + ("Z" if offset == 0 else local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:])


def sales_rows(rnd, day, count, first_id):
    rows = []
    for i in range(count):
        qty = rnd.randint(1, 12)
        price = round(rnd.uniform(0.5, 400), 2)
        discount = rnd.choice([None, None, 0.0, 0.05, 0.1, 0.2])
        total = round(qty * price, 2)
        when = day + timedelta(seconds=rnd.randrange(86400))
        if rnd.random() < 0.08:  # stale: older than 30 days before the as-of date
            when -= timedelta(days=rnd.randint(31, 90))
        row = {
            "transaction_id": "TX-%010d" % (first_id + i),
            "customer_id": "CUST-%06d" % rnd.randrange(1, 2000),
            "product_id": "SKU-%s-%04d" % (rnd.choice(["ABC", "KLM", "XYZ", "QRS"]), rnd.randrange(10000)),
            "store_id": rnd.choice(["ST-%03d" % rnd.randrange(1, 60), "WEB"]),
            "quantity": str(qty),
            "unit_price": "%.2f" % price,
            "discount": "" if discount is None else str(discount),
            "total_amount": "%.2f" % total,
            "currency": rnd.choice(CURRENCIES),
            "payment_method": rnd.choice(PAYMENTS),
            "channel": rnd.choice(CHANNELS),
            "transaction_ts": ts(when, rnd),
            "customer_email": "customer%d@example.com" % rnd.randrange(1, 2000),
        }
        defect = rnd.random()
        if defect < 0.02:
            row["transaction_id"] = ""  # critical: required id missing -> rejected
        elif defect < 0.04:
            row["transaction_ts"] = rnd.choice(["2026-13-01T00:00:00Z", "yesterday", "24/11/2026 10:00"])
        elif defect < 0.07:
            row["quantity"] = rnd.choice(["0", "1500", "-2"])  # accuracy
        elif defect < 0.09:
            row["unit_price"] = rnd.choice(["12,50", "$19.99", "n/a"])  # schema: not a number
        elif defect < 0.11:
            row["currency"] = rnd.choice(["usd", "CAD", "€"])  # accuracy: not in the enum
        elif defect < 0.13:
            row["currency"] = ""  # completeness, warning
        elif defect < 0.17:
            row["total_amount"] = "%.2f" % (total + rnd.choice([1, 5, 10.5]))  # consistency
        elif defect < 0.19:
            row["customer_email"] = rnd.choice(["not-an-email", "jane@", "a b@example.com"])
        elif defect < 0.21:
            row["transaction_id"] = "TX-%d" % (first_id + i)  # accuracy: wrong shape
            row["customer_id"] = "C%d" % rnd.randrange(1, 2000)
            row["quantity"] = "5000"
        elif defect < 0.215:
            row["product_id"] = 'SKU-ABC-12"34'  # a stray quote inside an unquoted field
        rows.append(row)
    return rows


def write_sales(rnd, path, day, count, first_id):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    lines = out.getvalue()
    body = []
    for row in sales_rows(rnd, day, count, first_id):
        buf = io.StringIO()
        csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\r\n").writerow(row)
        body.append(buf.getvalue())
    # Rows that cannot be parsed at all: wrong field count, a quoted note with a newline.
    body.insert(count // 3, "TX-9999999901,CUST-000001,SKU-ABC-0001\r\n")
    body.insert(count // 2, "TX-9999999902,CUST-000002,SKU-ABC-0002,ST-001,2,9.99,,19.98,USD,card,store,"
                            "2026-11-20T10:00:00Z,a@example.com,extra,fields\r\n")
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write(lines + "".join(body))


CUSTOMER_COUNTRIES = ["US", "GB", "DE", "FR", "JP", "ES", "IT", "NL"]
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Frances", "José",
         "Zoë", "Søren"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds",
        "Allen", "García", "Ødegård"]


def write_customers(rnd, path, count):
    base = datetime(2026, 11, 23, tzinfo=timezone.utc)
    lines = []
    for i in range(1, count + 1):
        signup = base - timedelta(days=rnd.randrange(30, 2000), seconds=rnd.randrange(86400))
        rec = {
            "customer_id": "CUST-%06d" % i,
            "first_name": rnd.choice(FIRST),
            "last_name": rnd.choice(LAST),
            "email": "customer%d@example.com" % i,
            "phone": "+%d%09d" % (rnd.choice([1, 44, 49, 33, 81]), rnd.randrange(10 ** 9)),
            "date_of_birth": (datetime(1950, 1, 1) + timedelta(days=rnd.randrange(20000))).strftime("%Y-%m-%d"),
            "country": rnd.choice(CUSTOMER_COUNTRIES),
            "loyalty_tier": rnd.choice(["none", "silver", "gold", "platinum"]),
            "lifetime_value": round(rnd.uniform(0, 25000), 2),
            "is_active": rnd.random() < 0.9,
            "signup_ts": signup.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": (base - timedelta(days=rnd.randrange(0, 400))).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        d = rnd.random()
        if d < 0.02:
            del rec["customer_id"]  # critical
        elif d < 0.04:
            rec["email"] = rnd.choice(["nobody", "x@y", None])
        elif d < 0.06:
            rec["country"] = rnd.choice(["USA", "uk", "Germany"])
        elif d < 0.08:
            rec["lifetime_value"] = rnd.choice(["1,200.50", -50, "lots"])
        elif d < 0.10:
            rec["signup_ts"] = rnd.choice(["2025-02-30T00:00:00Z", "last year", 1700000000])
        elif d < 0.12:
            rec["first_name"] = ""
            rec["last_name"] = None
        elif d < 0.14:
            rec["is_active"] = rnd.choice(["yes", 1, "TRUE"])
        elif d < 0.16:
            rec["date_of_birth"] = rnd.choice(["1990-02-30", "12/05/1984"])
            rec["phone"] = "555-0100"
        elif d < 0.165:
            lines.append('{"customer_id": "CUST-%06d", "first_name": "Broken' % i)  # invalid JSON
            continue
        lines.append(json.dumps(rec, ensure_ascii=False))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main():
    rnd = random.Random(20261124)
    os.makedirs(ROOT, exist_ok=True)
    write_sales(rnd, os.path.join(ROOT, "sales_transactions_2026-11-22.csv"),
                datetime(2026, 11, 22, tzinfo=timezone.utc), 1500, 1)
    write_sales(rnd, os.path.join(ROOT, "sales_transactions_2026-11-23.csv"),
                datetime(2026, 11, 23, tzinfo=timezone.utc), 1500, 100001)
    write_customers(rnd, os.path.join(ROOT, "customer_data.ndjson"), 2000)


if __name__ == "__main__":
    main()
