#!/usr/bin/env python3
"""Expected SigV4 values from botocore's own signers, for the S3 and DynamoDB cases that the
aws-c-auth suite does not cover (S3's single path encoding, keys with spaces, '+', unicode
and '//', presigned S3 URLs with UNSIGNED-PAYLOAD, DynamoDB JSON posts).

Run:  python3 generate.py > expected.json     (botocore 1.43.11 produced the committed file)
The signing date is fixed, so the output is deterministic.
"""
import datetime, hashlib, json, sys
import botocore, botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode

FIXED = datetime.datetime(2026, 11, 23, 12, 34, 56)
botocore.auth.get_current_datetime = lambda *a, **k: FIXED

KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//TOKEN+/=="
REGION = "eu-west-1"


def s3_path(bucket, key, path_style):
    encoded = percent_encode(key, safe="/~")
    return f"/{bucket}/{encoded}" if path_style else f"/{encoded}"


def header_case(name, service, method, url, headers, body=b"", token=None, s3=None):
    creds = Credentials(KEY, SECRET, token)
    auth_class = botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth
    signer = auth_class(creds, service, REGION)
    request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    request.context["timestamp"] = FIXED.strftime(botocore.auth.SIGV4_TIMESTAMP)
    # The steps of add_auth, keeping the intermediate values.
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    signer._inject_signature_to_request(request, signer.signature(string_to_sign, request))
    return {
        "name": name, "kind": "header", "service": service, "method": method, "url": url,
        "headers": headers, "body": body.decode(), "sessionToken": token,
        "canonicalRequest": canonical, "stringToSign": string_to_sign,
        "signature": signer.signature(string_to_sign, request),
        "authorization": request.headers["Authorization"], "s3": s3,
    }


def presign_case(name, url, expires, token=None, s3=None):
    creds = Credentials(KEY, SECRET, token)
    signer = botocore.auth.S3SigV4QueryAuth(creds, "s3", REGION, expires=expires)
    request = AWSRequest(method="GET", url=url, headers={})
    signer.add_auth(request)
    return {"name": name, "kind": "presign", "service": "s3", "method": "GET", "url": url,
            "expires": expires, "sessionToken": token, "presignedURL": request.url, "s3": s3}


BUCKET = "imagicon-photos"
AWS_HOST = f"https://{BUCKET}.s3.{REGION}.amazonaws.com"
LOCAL = "http://127.0.0.1:4566"
WEIRD = "albums/2026 summer/a+b ünïcödé €/IMG 0001 (1).jpg"
def s3info(custom_endpoint, key, query=()):
    """How the Swift test rebuilds the request: endpoint kind, bucket, key, decoded query."""
    return {"customEndpoint": LOCAL if custom_endpoint else None, "bucket": BUCKET, "key": key, "query": list(query)}


cases = [
    header_case("s3-get-virtual-hosted", "s3", "GET", AWS_HOST + s3_path(BUCKET, "weddings/2026/IMG_1.jpg", False), [],
                s3=s3info(False, "weddings/2026/IMG_1.jpg")),
    header_case("s3-get-weird-key-path-style", "s3", "GET", LOCAL + s3_path(BUCKET, WEIRD, True),
                [["Range", "bytes=0-1023"]], s3=s3info(True, WEIRD)),
    header_case("s3-get-dot-segments-kept", "s3", "GET", LOCAL + s3_path(BUCKET, "a//b/./c/../d", True), [],
                s3=s3info(True, "a//b/./c/../d")),
    header_case("s3-put-with-metadata", "s3", "PUT", LOCAL + s3_path(BUCKET, "thumbnails/200x200/x y+z.jpg", True),
                [["Content-Type", "image/jpeg"], ["Cache-Control", "max-age=31536000, immutable"],
                 ["x-amz-meta-source", "weddings/2026/IMG_1.jpg"], ["x-amz-meta-width", "200"]],
                body=b"not really a jpeg", s3=s3info(True, "thumbnails/200x200/x y+z.jpg")),
    header_case("s3-get-session-token", "s3", "GET", AWS_HOST + s3_path(BUCKET, "k", False), [], token=TOKEN, s3=s3info(False, "k")),
    header_case("s3-list-objects-v2", "s3", "GET",
                LOCAL + f"/{BUCKET}?" + "&".join([
                    "continuation-token=" + percent_encode("1/abc+def=="), "list-type=2", "max-keys=2",
                    "prefix=" + percent_encode("albums/2026 summer/")]), [],
                s3=s3info(True, None, [["continuation-token", "1/abc+def=="], ["list-type", "2"], ["max-keys", "2"],
                                       ["prefix", "albums/2026 summer/"]])),
    header_case("s3-delete-objects", "s3", "POST", LOCAL + f"/{BUCKET}?delete=",
                [["Content-Type", "application/xml"],
                 ["Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="]],
                body=b"<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>",
                s3=s3info(True, None, [["delete", ""]])),
    header_case("dynamodb-put-item", "dynamodb", "POST", f"https://dynamodb.{REGION}.amazonaws.com/",
                [["Content-Type", "application/x-amz-json-1.0"], ["X-Amz-Target", "DynamoDB_20120810.PutItem"]],
                body=b'{"TableName":"imagicon","Item":{"PK":{"S":"ALBUM#a"},"SK":{"S":"IMAGE#k"}}}', token=TOKEN),
    presign_case("s3-presign-virtual-hosted", AWS_HOST + s3_path(BUCKET, WEIRD, False), 900, s3=s3info(False, WEIRD)),
    presign_case("s3-presign-path-style-token", LOCAL + s3_path(BUCKET, WEIRD, True), 3600, token=TOKEN,
                 s3=s3info(True, WEIRD)),
]
json.dump({"botocore": botocore.__version__, "date": FIXED.isoformat() + "Z", "accessKeyID": KEY,
           "secretAccessKey": SECRET, "region": REGION, "cases": cases}, sys.stdout, indent=1, ensure_ascii=False)
print()
