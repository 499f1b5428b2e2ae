#!/usr/bin/env python3
"""An HTTP server on 127.0.0.1 that accepts a GET only when its presigned SigV4 query
string verifies with botocore's own S3 query signer (moto's server cannot check presigned
URLs: its IAM auth reads only the Authorization header and answers 500 without one).

Usage: presign_verifier.py ACCESS_KEY_ID SECRET
Prints `PORT=<n>` then `READY`; serves until stdin reaches EOF.
200 body: `verified <raw path>`; 403 body: the reason.
"""
import datetime, sys, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEY, SECRET = sys.argv[1], sys.argv[2]
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        pairs = [p.split("=", 1) if "=" in p else [p, ""] for p in query.split("&") if p]
        raw = {k: v for k, v in pairs}
        try:
            signature = raw["X-Amz-Signature"]
            date = urllib.parse.unquote(raw["X-Amz-Date"])
            expires = int(raw["X-Amz-Expires"])
            access, _day, region, service, _ = urllib.parse.unquote(raw["X-Amz-Credential"]).split("/")
            token = urllib.parse.unquote(raw["X-Amz-Security-Token"]) if "X-Amz-Security-Token" in raw else None
            signed_headers = urllib.parse.unquote(raw["X-Amz-SignedHeaders"])
        except (KeyError, ValueError) as error:
            return self.answer(403, f"malformed presigned URL: {error}")
        if access != KEY:
            return self.answer(403, "unknown access key")
        if signed_headers != "host":
            return self.answer(403, "only host may be signed")
        when = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")
        if datetime.datetime.utcnow() > when + datetime.timedelta(seconds=expires):
            return self.answer(403, "expired")
        others = "&".join(f"{k}={v}" for k, v in pairs if not k.startswith("X-Amz-"))
        url = f"http://{self.headers['Host']}{path}" + (f"?{others}" if others else "")
        with lock:  # get_current_datetime is patched process-wide
            botocore.auth.get_current_datetime = lambda *a, **k: when
            signer = botocore.auth.S3SigV4QueryAuth(Credentials(KEY, SECRET, token), service, region, expires=expires)
            request = AWSRequest(method="GET", url=url, headers={})
            signer.add_auth(request)
        expected = request.url.rsplit("X-Amz-Signature=", 1)[1]
        if expected != signature:
            return self.answer(403, "SignatureDoesNotMatch")
        return self.answer(200, f"verified {path}")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"PORT={server.server_address[1]}")
print("READY", flush=True)
while sys.stdin.buffer.read(65536):
    pass
server.shutdown()
