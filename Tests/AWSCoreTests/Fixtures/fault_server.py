#!/usr/bin/env python3
"""A misbehaving HTTP/1.1 server on 127.0.0.1 for AWSCore's transport and retry tests.

Prints `PORT=<n>` and `READY`, serves until stdin reaches EOF. Every path takes `key=` to
count hits separately; `times=N` makes the fault apply to the first N hits only, then 200.
  /status/<code>?body=s3throttle|ddbthrottle|s3error   answer <code> (with an AWS error body)
  /reset     close the TCP connection with RST before answering
  /stall     send headers and a few bytes, then stop sending (for the total timeout)
  /silent    never answer at all
  /big?size=N   N bytes of body with Content-Length
  /echo      200 with JSON of method, path, headers and the body's length and sha256
  /conn      200 with the client's port (equal ports = the connection was reused)
  /hits?key=K   how many requests K got
"""
import hashlib, json, socket, struct, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

hits = {}
lock = threading.Lock()
BODIES = {
    "s3throttle": ("application/xml", b"<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>RID-S3</RequestId></Error>"),
    "ddbthrottle": ("application/x-amz-json-1.0", b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"Rate exceeded"}'),
    "s3error": ("application/xml", b"<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"),
    "s3denied": ("application/xml", b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="text/plain", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/hits":
            with lock:
                return self.answer(200, str(hits.get(query.get("key"), 0)).encode())
        key = query.get("key", url.path)
        with lock:
            hits[key] = hits.get(key, 0) + 1
            count = hits[key]
        faulty = count <= int(query.get("times", "1000000"))
        path = url.path
        if path == "/conn":
            return self.answer(200, str(self.client_address[1]).encode())
        if path == "/echo":
            info = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                    "length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
            return self.answer(200, json.dumps(info).encode(), "application/json")
        if path == "/big":
            return self.answer(200, b"x" * int(query.get("size", "0")))
        if not faulty:
            return self.answer(200, b"ok", headers=[("x-amz-request-id", "OK")])
        if path.startswith("/status/"):
            content_type, payload = BODIES.get(query.get("body", ""), ("text/plain", b""))
            return self.answer(int(path.split("/")[2]), payload, content_type)
        if path == "/reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"partial")
            self.wfile.flush()
            time.sleep(30)
            self.close_connection = True
            return
        if path == "/silent":
            time.sleep(30)
            self.close_connection = True
            return
        return self.answer(404, b"unknown path")

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"PORT={server.server_address[1]}")
print("READY", flush=True)
while sys.stdin.buffer.read(65536):
    pass
