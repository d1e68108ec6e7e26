#!/usr/bin/env python3
"""Sends a fixed number of requests to one endpoint, one after the other on a
single keep-alive connection, and fails on any answer that is not 200.

benches/serve.sh uses it to count instructions per request under callgrind:
wrk runs for a time, not a count, and a server under valgrind is too slow for
a timed load to mean anything.

    benches/requests.py URL PATH COUNT          # GET
    benches/requests.py URL /api/transfer COUNT --transfer
"""

import http.client
import json
import random
import sys
import urllib.parse


def main() -> int:
    args = sys.argv[1:]
    transfer = "--transfer" in args
    args = [a for a in args if a != "--transfer"]
    if len(args) != 3 or not args[2].isdigit():
        print(__doc__, file=sys.stderr)
        return 2
    url, path, count = urllib.parse.urlsplit(args[0]), args[1], int(args[2])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    accounts = [f"ACC-{n:03}" for n in range(1, 11)]
    for i in range(count):
        if transfer:
            src, dst = random.sample(accounts, 2)
            body = json.dumps({"from_account": src, "to_account": dst, "amount": 0.01})
            conn.request("POST", path, body, {"Content-Type": "application/json"})
        else:
            conn.request("GET", path)
        reply = conn.getresponse()
        data = reply.read()
        if reply.status != 200:
            print(f"request {i + 1} of {count}: {reply.status} {data[:200]!r}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
