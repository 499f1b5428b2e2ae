#!/usr/bin/env python3
"""The web app publisher of template.yaml (WebAppPublisher's inline code) run as CloudFormation runs a
custom resource: against a moto S3, with a local endpoint standing in for the pre-signed ResponseURL.
Create/Update put every file of web/ with its content type and answer SUCCESS; Delete leaves the
(retained) bucket alone; a missing bucket answers FAILED with the reason. Run by scripts/check-template.
Prints `N passed, N failed`."""
import http.server, json, os, pathlib, subprocess, sys, threading, types

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    from samtranslator.yaml_helper import yaml_parse
    code = yaml_parse((ROOT / "template.yaml").read_text())["Resources"]["WebAppPublisher"]["Properties"]["InlineCode"]

    answers = []

    class Responses(http.server.BaseHTTPRequestHandler):
        def do_PUT(self):
            answers.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Responses)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    response_url = f"http://127.0.0.1:{server.server_port}/response"

    moto = subprocess.Popen([str(ROOT / "scripts/moto-server"), "--no-auth"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    values = {}
    for line in moto.stdout:
        if line.strip() == "READY":
            break
        name, _, value = line.strip().partition("=")
        values[name] = value
    os.environ.update({k: v for k, v in values.items() if k != "MOTO_PID"})
    os.environ["WEB_APP_FILES"] = str(ROOT / "web")
    results = []
    try:
        import boto3
        s3 = boto3.client("s3", endpoint_url=values["AWS_ENDPOINT_URL"], region_name="us-east-1")
        s3.create_bucket(Bucket="web-app")
        module = types.ModuleType("publisher")
        exec(compile(code, "WebAppPublisher", "exec"), module.__dict__)
        context = types.SimpleNamespace(log_stream_name="test")

        def event(kind, bucket="web-app"):
            return {"RequestType": kind, "ResponseURL": response_url, "StackId": "stack", "RequestId": f"r-{kind}",
                    "LogicalResourceId": "WebAppFiles", "ResourceProperties": {"Bucket": bucket, "Layer": "arn:layer:1"}}

        def check(name, condition, detail=""):
            results.append((name, bool(condition)))
            print(("PASS " if condition else "FAIL ") + name + ("" if condition else f": {detail}"))

        module.handler(event("Create"), context)
        files = sorted(str(p.relative_to(ROOT / "web")) for p in (ROOT / "web").rglob("*") if p.is_file())
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="web-app").get("Contents", []))
        check("create answers SUCCESS", answers[-1]["Status"] == "SUCCESS", answers[-1])
        check("every file of web/ is published", keys == files, f"{keys} != {files}")
        head = s3.head_object(Bucket="web-app", Key="index.html")
        check("index.html is text/html", head["ContentType"].startswith("text/html"), head["ContentType"])
        check("modules are JavaScript", s3.head_object(Bucket="web-app", Key="js/main.js")["ContentType"].startswith("text/javascript"))
        check("published bytes are the files'", s3.get_object(Bucket="web-app", Key="app.css")["Body"].read() == (ROOT / "web/app.css").read_bytes())
        module.handler(event("Delete"), context)
        check("delete answers SUCCESS and keeps the retained bucket", answers[-1]["Status"] == "SUCCESS"
              and s3.list_objects_v2(Bucket="web-app").get("KeyCount") == len(files), answers[-1])
        module.handler(event("Update", bucket="no-such-bucket"), context)
        check("a failure answers FAILED with a reason", answers[-1]["Status"] == "FAILED" and answers[-1]["Reason"], answers[-1])
        check("every answer names the request", all(a["RequestId"].startswith("r-") and a["PhysicalResourceId"] for a in answers))
    finally:
        moto.stdin.close()
        moto.wait(timeout=30)
        server.shutdown()
    failed = sum(1 for _, ok in results if not ok)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
