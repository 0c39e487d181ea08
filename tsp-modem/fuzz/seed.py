#!/usr/bin/env python3
"""Seed a cargo-fuzz corpus from real modem exchanges (the modem-captures cases.jsonl).

usage: seed.py CASES_JSONL CORPUS_DIR [--sent]

Each case's `bytes` (what the modem sent) becomes one corpus file; with --sent, the command line
the DTE sent (`sent`, plus CR) comes first, for targets that read DTE input. The captures are read
where they are, never copied into the repository.
"""
import hashlib
import json
import os
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    cases, corpus = sys.argv[1], sys.argv[2]
    with_sent = "--sent" in sys.argv[3:]
    os.makedirs(corpus, exist_ok=True)
    written = 0
    with open(cases, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                case = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{cases}:{number}: skipped: {e}", file=sys.stderr)
                continue
            data = (case.get("bytes") or "").encode("latin-1", "replace")
            if with_sent and case.get("sent"):
                data = case["sent"].encode("latin-1", "replace") + b"\r" + data
            if not data:
                continue
            name = hashlib.sha1(data).hexdigest()
            with open(os.path.join(corpus, name), "wb") as out:
                out.write(data)
            written += 1
    print(f"{written} seeds from {cases} in {corpus}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
