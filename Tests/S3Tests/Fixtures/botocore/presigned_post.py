#!/usr/bin/env python3
"""Expected presigned POST forms (browser uploads) from botocore, for S3PresignedPostTests.

Run:  python3 presigned_post.py > presigned_post.json     (botocore 1.43.11 produced the committed file)
Each case has the form fields botocore's S3SigV4PostAuth computes for the policy conditions
in the order the S3 module writes them (bucket, key, Content-Type, content-length-range; then the
signer's own), so fields, policy bytes and signature must match exactly; and the conditions of
botocore's own client.generate_presigned_post for the same upload, which must be the same set.
The signing date is fixed, so the output is deterministic.
"""
import base64, datetime, json
import botocore.auth, botocore.session
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

FIXED = datetime.datetime(2026, 11, 23, 12, 34, 56)
botocore.auth.get_current_datetime = lambda *a, **k: FIXED
KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//TOKEN+/=="
REGION = "eu-west-1"


def case(name, bucket, key, content_type, low, high, expires, token=None, endpoint=None):
    expiration = (FIXED + datetime.timedelta(seconds=expires)).strftime("%Y-%m-%dT%H:%M:%SZ")
    conditions = [{"bucket": bucket}, {"key": key}, {"Content-Type": content_type}, ["content-length-range", low, high]]
    request = AWSRequest(method="POST", url="https://example.invalid/", data={})
    request.context["s3-presign-post-fields"] = {"key": key, "Content-Type": content_type}
    request.context["s3-presign-post-policy"] = {"expiration": expiration, "conditions": conditions}
    botocore.auth.S3SigV4PostAuth(Credentials(KEY, SECRET, token), "s3", REGION).add_auth(request)
    fields = request.context["s3-presign-post-fields"]

    client = botocore.session.get_session().create_client(
        "s3", region_name=REGION, aws_access_key_id=KEY, aws_secret_access_key=SECRET, aws_session_token=token,
        endpoint_url=endpoint, config=botocore.config.Config(s3={"addressing_style": "path" if endpoint else "virtual"}))
    sdk = client.generate_presigned_post(
        bucket, key, Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", low, high]], ExpiresIn=expires)
    sdk_policy = json.loads(base64.b64decode(sdk["fields"]["policy"]))
    sdk_conditions = [c for c in sdk_policy["conditions"] if not (isinstance(c, dict) and next(iter(c)).startswith("x-amz-"))]
    return {"name": name, "bucket": bucket, "key": key, "contentType": content_type, "low": low, "high": high,
            "expires": expires, "sessionToken": token, "endpoint": endpoint, "fields": fields,
            "sdkURL": sdk["url"], "sdkConditions": sdk_conditions}


print(json.dumps({
    "date": FIXED.strftime("%Y-%m-%dT%H:%M:%SZ"), "accessKeyID": KEY, "secretAccessKey": SECRET, "region": REGION,
    "cases": [
        case("virtual-hosted jpeg", "imagicon-photos", "albums/abcdefghijklmnopqrstuvwxyz/k3j5m2q7aa-IMG_0001.jpg",
             "image/jpeg", 1, 5_000_000, 900),
        case("session token, heic", "imagicon-photos", "albums/abcdefghijklmnopqrstuvwxyz/x-photo.heic",
             "image/heic", 1, 64 << 20, 600, token=TOKEN),
        case("path style on a local endpoint", "uploads", "albums/zzzzzzzzzzzzzzzzzzzzzzzzzz/p.png",
             "image/png", 1, 1234, 300, endpoint="http://127.0.0.1:4566"),
        case("unicode key", "imagicon-photos", "albums/abcdefghijklmnopqrstuvwxyz/été \"q\".jpg",
             "image/jpeg", 1, 10, 60),
    ]}, indent=1, sort_keys=True))
