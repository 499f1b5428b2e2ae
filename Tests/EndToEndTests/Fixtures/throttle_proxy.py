#!/usr/bin/env python3
"""A loopback HTTP proxy in front of moto that throttles the first N DynamoDB requests.

Usage: throttle_proxy.py UPSTREAM_URL N
Prints `PORT=<port>` then serves until stdin closes. The first N requests carrying an
X-Amz-Target header (DynamoDB's JSON protocol) get HTTP 400 ThrottlingException; everything else
is forwarded unchanged (the Host header too, so SigV4 signatures stay valid). On exit it prints
`THROTTLED=<count> FORWARDED=<count>`.
"""
import http.client, http.server, sys, threading, urllib.parse

upstream = urllib.parse.urlparse(sys.argv[1])
remaining = int(sys.argv[2])
lock = threading.Lock()
counts = {"throttled": 0, "forwarded": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_one(self):
        global remaining
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with lock:
            throttle = "X-Amz-Target" in self.headers and remaining > 0
            if throttle:
                remaining -= 1
                counts["throttled"] += 1
            else:
                counts["forwarded"] += 1
        if throttle:
            reply = b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}'
            self.send_response(400)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
            return
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        conn.request(self.command, self.path, body=body, headers={k: v for k, v in self.headers.items()})
        response = conn.getresponse()
        data = response.read()
        self.send_response(response.status)
        for k, v in response.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_one


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"PORT={server.server_address[1]}", flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
print(f"THROTTLED={counts['throttled']} FORWARDED={counts['forwarded']}", flush=True)
