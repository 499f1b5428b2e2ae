#!/usr/bin/env python3
"""Checks template.yaml offline: SAM translation to plain CloudFormation, then the security
properties issues 8 and 17 ask for, asserted on the translated resources (what CloudFormation would
really create). cfn-lint runs from scripts/check-template before this.

Usage: check_template.py [TEMPLATE]   (default: template.yaml next to scripts/)
       check_template.py --self-test [TEMPLATE]   (every broken variant in MUTATIONS must be caught)
Exit status 0 when every check holds; otherwise every failed check is listed and it exits 1.
"""
from __future__ import annotations

import copy
import fnmatch
import json
import logging
import os
import sys
from pathlib import Path

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parent.parent

# The translator's metrics helper warns about metrics nobody publishes offline.
logging.getLogger("samtranslator").setLevel(logging.ERROR)

#: What each function's role may do, by function: action -> the resources it may name, written
#: as the pieces the resource expression must contain (an ARN is built with Fn::Sub / Fn::GetAtt).
EXPECTED_ACTIONS = {
    "ProcessRole": {
        "logs:CreateLogStream", "logs:PutLogEvents",
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchWriteItem",
        "sqs:SendMessage",
    },
    "SearchRole": {
        "logs:CreateLogStream", "logs:PutLogEvents",
        "dynamodb:Query", "dynamodb:GetItem",
        "s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListBucket",
    },
    "ConvertRole": {
        "logs:CreateLogStream", "logs:PutLogEvents",
        "s3:GetObject", "s3:ListBucket",
    },
    "WebAppPublisherRole": {
        "logs:CreateLogStream", "logs:PutLogEvents",
        "s3:PutObject",
    },
    "ApiRole": {
        "logs:CreateLogStream", "logs:PutLogEvents",
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:UpdateItem",
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListBucket",
    },
    "PeopleRole": {
        "logs:CreateLogStream", "logs:PutLogEvents",
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "sqs:SendMessage",
    },
}


class ManagedPolicies(ManagedPolicyLoader):
    """Offline stand-in for IAM's list of managed policies: the template names none."""

    def __init__(self) -> None:  # no IAM client
        pass

    def load(self) -> dict[str, str]:
        return {}


class Checker:
    def __init__(self, cfn: dict) -> None:
        self.cfn = cfn
        self.resources: dict[str, dict] = cfn["Resources"]
        self.failures: list[str] = []
        self.passed = 0

    def check(self, condition: bool, message: str) -> None:
        if condition:
            self.passed += 1
        else:
            self.failures.append(message)

    def of_type(self, kind: str) -> dict[str, dict]:
        return {name: r for name, r in self.resources.items() if r["Type"] == kind}

    # ------------------------------------------------------------------ buckets

    def buckets(self) -> None:
        buckets = self.of_type("AWS::S3::Bucket")
        self.check(set(buckets) == {"UploadsBucket", "ThumbnailBucket", "WebAppBucket"},
                   f"expected the uploads, thumbnail and web app buckets, found {sorted(buckets)}")
        policies = {p["Properties"]["Bucket"].get("Ref"): p for p in self.of_type("AWS::S3::BucketPolicy").values()}
        for name, bucket in buckets.items():
            props = bucket.get("Properties", {})
            block = props.get("PublicAccessBlockConfiguration", {})
            for flag in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
                self.check(block.get(flag) is True, f"{name}: PublicAccessBlockConfiguration.{flag} is not true")
            rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
            algorithms = {r.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules}
            self.check(bool(algorithms) and algorithms <= {"AES256", "aws:kms", "aws:kms:dsse"},
                       f"{name}: no default server-side encryption")
            self.check("AccessControl" not in props, f"{name}: has a canned ACL")
            ownership = props.get("OwnershipControls", {}).get("Rules", [{}])[0].get("ObjectOwnership")
            self.check(ownership == "BucketOwnerEnforced", f"{name}: ACLs are not disabled (BucketOwnerEnforced)")
            self.check("BucketName" in props and "Ref" not in json.dumps(props["BucketName"]).replace('"Ref": "AWS::', ""),
                       f"{name}: the name must come from parameters (no Ref to resources), policies name it")
            self.check(bucket.get("DeletionPolicy") == "Retain", f"{name}: photos must survive a stack deletion (DeletionPolicy Retain)")

            if name == "WebAppBucket":
                self.web_app_bucket(policies.get(name))
                continue
            lifecycle = props.get("LifecycleConfiguration", {}).get("Rules", [])
            sessions = [r for r in lifecycle if r.get("Status") == "Enabled"
                        and (r.get("Prefix") == "sessions/" or r.get("Filter", {}).get("Prefix") == "sessions/")]
            self.check(len(sessions) == 1 and sessions[0].get("ExpirationInDays") == 1,
                       f"{name}: no enabled sessions/ rule expiring after 1 day")

            policy = policies.get(name)
            self.check(policy is not None, f"{name}: no bucket policy")
            if policy is None:
                continue
            statements = self.statements(policy["Properties"]["PolicyDocument"])
            tls = [s for s in statements if s.get("Effect") == "Deny" and s.get("Principal") == "*"
                   and s.get("Action") in ("s3:*", ["s3:*"])
                   and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") in ("false", False)]
            self.check(len(tls) == 1, f"{name}: bucket policy does not deny requests without TLS")
            if tls:
                covered = json.dumps(tls[0]["Resource"])
                self.check(f'"{name}.Arn"' in covered or f'"{name}", "Arn"' in covered, f"{name}: TLS deny misses the bucket ARN")
                self.check("/*" in covered, f"{name}: TLS deny misses the objects")
            # No public path to photos or thumbnails (no CDN origin either): browsers get presigned GETs.
            for s in statements:
                self.check(s.get("Effect") != "Allow", f"{name}: bucket policy grants access to {s.get('Principal')}")
        cors = buckets["UploadsBucket"]["Properties"].get("CorsConfiguration", {}).get("CorsRules", [])
        self.check(len(cors) == 1 and cors[0].get("AllowedMethods") == ["POST"], "UploadsBucket: CORS is not POST-only for browser uploads")
        self.check(all("CorsConfiguration" not in b["Properties"] for n, b in buckets.items() if n != "UploadsBucket"),
                   "CORS on a bucket browsers do not upload to")
        self.check("*" not in json.dumps(cors[0].get("AllowedOrigins") if cors else "*"), "UploadsBucket: CORS allows every origin")

    def web_app_bucket(self, policy: dict | None) -> None:
        """The web app's files: TLS only, and readable by the app distribution (through origin access control) alone."""
        self.check(policy is not None, "WebAppBucket: no bucket policy")
        if policy is None:
            return
        statements = self.statements(policy["Properties"]["PolicyDocument"])
        tls = [s for s in statements if s.get("Effect") == "Deny" and s.get("Principal") == "*"
               and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") in ("false", False)]
        self.check(len(tls) == 1, "WebAppBucket: bucket policy does not deny requests without TLS")
        for s in statements:
            if s.get("Effect") != "Allow":
                continue
            self.check(s.get("Principal") == {"Service": "cloudfront.amazonaws.com"} and s.get("Action") in ("s3:GetObject", ["s3:GetObject"])
                       and "AppDistribution" in json.dumps(s.get("Condition", {}).get("StringEquals", {}).get("AWS:SourceArn")),
                       f"WebAppBucket: grants {s.get('Action')} to {s.get('Principal')}, not reads to the app distribution only")

    @staticmethod
    def statements(document: dict) -> list[dict]:
        """Policy statements, with `Fn::If [cond, statement, AWS::NoValue]` branches opened."""
        out = []
        for s in document.get("Statement", []):
            if isinstance(s, dict) and "Fn::If" in s:
                out += [b for b in s["Fn::If"][1:] if isinstance(b, dict) and "Effect" in b]
            else:
                out.append(s)
        return out

    # ------------------------------------------------------------------ table, queue, alarms, logs

    def table(self) -> None:
        tables = self.of_type("AWS::DynamoDB::Table")
        self.check(len(tables) == 1, f"expected one table, found {sorted(tables)}")
        for name, t in tables.items():
            p = t["Properties"]
            self.check(p.get("BillingMode") == "PAY_PER_REQUEST", f"{name}: not on-demand")
            keys = {k["AttributeName"]: k["KeyType"] for k in p.get("KeySchema", [])}
            self.check(keys == {"PK": "HASH", "SK": "RANGE"}, f"{name}: key schema is {keys}, not PK/SK")
            types = {a["AttributeName"]: a["AttributeType"] for a in p.get("AttributeDefinitions", [])}
            self.check(types == {"PK": "S", "SK": "S", "unindexedAlbum": "S"}, f"{name}: PK/SK/unindexedAlbum are not strings: {types}")
            # The one secondary index: sparse, faces not yet in their album's packed face index.
            indexes = {i["IndexName"]: i for i in p.get("GlobalSecondaryIndexes", [])}
            self.check(list(indexes) == ["UnindexedFaces"], f"{name}: secondary indexes {sorted(indexes)}")
            unindexed = indexes.get("UnindexedFaces", {})
            self.check({k["AttributeName"]: k["KeyType"] for k in unindexed.get("KeySchema", [])} == {"unindexedAlbum": "HASH", "SK": "RANGE"},
                       f"{name}: UnindexedFaces keys")
            self.check(set(unindexed.get("Projection", {}).get("NonKeyAttributes", [])) == {"key", "index", "box", "descriptor", "version"},
                       f"{name}: UnindexedFaces does not copy what find me ranks")
            self.check(p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is True,
                       f"{name}: point-in-time recovery is off")

    def failures_path(self) -> None:
        queues = self.of_type("AWS::SQS::Queue")
        self.check("DeadLetterQueue" in queues, "no DeadLetterQueue")
        q = queues.get("DeadLetterQueue", {}).get("Properties", {})
        self.check(q.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in q, "DeadLetterQueue is not encrypted")
        configs = self.of_type("AWS::Lambda::EventInvokeConfig")
        on_failure = [c["Properties"] for c in configs.values()
                      if "DeadLetterQueue" in json.dumps(c["Properties"].get("DestinationConfig", {}).get("OnFailure", {}))]
        self.check(len(on_failure) == 1, "process function has no on-failure destination to the DeadLetterQueue")
        for c in on_failure:
            self.check(c.get("MaximumRetryAttempts", 2) <= 2, "more than two async retries")
        streams = [m["Properties"] for m in self.of_type("AWS::Lambda::EventSourceMapping").values() if "StreamArn" in json.dumps(m["Properties"])]
        self.check(len(streams) == 1 and all("DeadLetterQueue" in json.dumps(m.get("DestinationConfig", {}).get("OnFailure", {}))
                                              for m in streams), "the people stream trigger drops failed batches (no on-failure destination)")
        alarms = [a["Properties"] for a in self.of_type("AWS::CloudWatch::Alarm").values()]
        self.check(any(a.get("Namespace") == "AWS/SQS" and "DeadLetterQueue" in json.dumps(a.get("Dimensions")) for a in alarms),
                   "no alarm on the dead-letter queue")
        rules = self.of_type("AWS::Events::Rule")
        self.check(len(rules) == 1, f"expected one EventBridge rule, found {sorted(rules)}")
        for name, r in rules.items():
            pattern = r["Properties"]["EventPattern"]
            self.check(pattern.get("source") == ["aws.s3"], f"{name}: source is not aws.s3")
            self.check(sorted(pattern.get("detail-type", [])) == ["Object Created", "Object Deleted"], f"{name}: detail types")
            suffixes = sorted(k.get("suffix", {}).get("equals-ignore-case") for k in pattern["detail"]["object"]["key"])
            self.check(suffixes == [".avif", ".heic", ".heif", ".hif", ".jpeg", ".jpg", ".png", ".webp"], f"{name}: suffixes {suffixes}")
            self.check("uploads" in json.dumps(pattern["detail"]["bucket"]["name"]), f"{name}: not bound to the uploads bucket")
            targets = r["Properties"]["Targets"]
            self.check(all("DeadLetterQueue" in json.dumps(t.get("DeadLetterConfig", {})) for t in targets),
                       f"{name}: a target has no dead-letter queue")
        uploads = self.resources["UploadsBucket"]["Properties"]
        self.check(uploads.get("NotificationConfiguration", {}).get("EventBridgeConfiguration", {}).get("EventBridgeEnabled") is True,
                   "UploadsBucket does not send events to EventBridge")

    def logs(self) -> None:
        groups = self.of_type("AWS::Logs::LogGroup")
        for name, g in groups.items():
            self.check("RetentionInDays" in g.get("Properties", {}), f"{name}: no log retention")
        for name, f in self.of_type("AWS::Lambda::Function").items():
            group = f["Properties"].get("LoggingConfig", {}).get("LogGroup", {}).get("Ref")
            self.check(group in groups, f"{name}: logs to a group the stack does not own (so no retention)")

    # ------------------------------------------------------------------ functions and IAM

    def functions(self) -> None:
        functions = self.of_type("AWS::Lambda::Function")
        self.check(set(functions) == {"ProcessFunction", "SearchFunction", "ConvertFunction", "ApiFunction", "PeopleFunction", "WebAppPublisher"},
                   f"functions: {sorted(functions)}")
        # The web app's publisher (a custom resource) copies its layer into the web app bucket, nothing else.
        publisher = functions.pop("WebAppPublisher", {}).get("Properties", {})
        # (SAM names a layer version after its content: WebAppLayer<hash>.)
        self.check([l.get("Ref", "")[:11] for l in publisher.get("Layers", [])] == ["WebAppLayer"], "WebAppPublisher: does not publish the WebAppLayer")
        self.check(publisher.get("Role") == {"Fn::GetAtt": ["WebAppPublisherRole", "Arn"]}, "WebAppPublisher: role not its own")
        custom = self.of_type("Custom::WebAppFiles")
        self.check(len(custom) == 1 and all(c["Properties"].get("Layer", {}).get("Ref", "").startswith("WebAppLayer") for c in custom.values()),
                   "WebAppFiles: not republished when the WebAppLayer changes")
        handlers = {}
        for name, f in functions.items():
            p = f["Properties"]
            handlers[name] = p.get("Handler")
            self.check(p.get("Runtime") == "provided.al2023", f"{name}: runtime is {p.get('Runtime')}")
            self.check(p.get("Architectures") == [{"Ref": "Architecture"}], f"{name}: architecture not the parameter")
            self.check("Fn::GetAtt" in p.get("Role", {}), f"{name}: role not the stack's own")
            self.check(isinstance(p.get("MemorySize"), dict) and isinstance(p.get("Timeout"), dict),
                       f"{name}: memory/timeout not parameters")
        self.check(handlers == {"ProcessFunction": "process", "SearchFunction": "search", "ConvertFunction": "convert", "ApiFunction": "api",
                                "PeopleFunction": "people"},
                   f"handlers: {handlers}")
        for name in ("ApiFunction", "SearchFunction", "ConvertFunction"):
            self.check("ReservedConcurrentExecutions" in functions[name]["Properties"], f"{name}: no reserved concurrency")
        api_env = functions["ApiFunction"]["Properties"]["Environment"]["Variables"]
        for var in ("IMAGICON_TABLE", "IMAGICON_SOURCE_BUCKET", "IMAGICON_THUMBNAIL_BUCKET", "IMAGICON_MODELS_DIR"):
            self.check(var in api_env, f"ApiFunction: {var} not set")
        self.check(api_env.get("IMAGICON_ADMIN_TOKEN_SHA256") == {"Ref": "AdminTokenSha256"}, "ApiFunction: admin hash not the parameter")
        self.check(self.cfn["Parameters"]["AdminTokenSha256"].get("NoEcho") is True, "AdminTokenSha256 is not NoEcho")
        process_env = functions["ProcessFunction"]["Properties"]["Environment"]["Variables"]
        for var in ("IMAGICON_TABLE", "IMAGICON_THUMBNAIL_BUCKET", "IMAGICON_MODELS_DIR"):
            self.check(var in process_env, f"ProcessFunction: {var} not set")
        self.check("IMAGICON_SOURCE_BUCKET" in functions["ConvertFunction"]["Properties"]["Environment"]["Variables"],
                   "ConvertFunction: IMAGICON_SOURCE_BUCKET not set")
        urls = self.of_type("AWS::Lambda::Url")
        self.check(sorted(urls) == ["ApiFunctionUrl", "ConvertFunctionUrl", "SearchFunctionUrl"], f"function URLs: {sorted(urls)}")
        for name, u in urls.items():
            if name == "ApiFunctionUrl":
                self.check(u["Properties"].get("AuthType") == "AWS_IAM", f"{name}: not AWS_IAM (reachable only through CloudFront)")
            else:
                self.check(u["Properties"].get("AuthType") == {"Ref": "FunctionUrlAuthType"}, f"{name}: auth type not the parameter")
        # The albums API may be invoked by the app's distribution only.
        for name, perm in self.of_type("AWS::Lambda::Permission").items():
            if perm["Properties"].get("FunctionName") == {"Ref": "ApiFunction"}:
                self.check(perm["Properties"].get("Principal") == "cloudfront.amazonaws.com"
                           and "AppDistribution" in json.dumps(perm["Properties"].get("SourceArn")),
                           f"{name}: the api function may be invoked by more than the app's distribution")
        # Public access only when the AuthType parameter says NONE, and then for both URL functions
        # (SAM adds nothing for a parameterised AuthType).
        public = {n: r for n, r in self.of_type("AWS::Lambda::Permission").items() if r["Properties"].get("Principal") == "*"}
        for name, perm in public.items():
            self.check(perm.get("Condition") == "PublicFunctionUrls", f"{name}: public permission not behind PublicFunctionUrls")
            props = perm["Properties"]
            self.check((props.get("Action"), props.get("FunctionUrlAuthType"), props.get("InvokedViaFunctionUrl")) in
                       {("lambda:InvokeFunctionUrl", "NONE", None), ("lambda:InvokeFunction", None, True)},
                       f"{name}: public permission not limited to Function URL calls")
        granted = {(p["Properties"]["FunctionName"].get("Ref"), p["Properties"]["Action"]) for p in public.values()}
        for function in ("SearchFunction", "ConvertFunction"):
            for action in ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction"):
                self.check((function, action) in granted, f"{function}: no conditional public {action} for AuthType NONE")
        self.check(self.cfn["Conditions"].get("PublicFunctionUrls") == {"Fn::Equals": [{"Ref": "FunctionUrlAuthType"}, "NONE"]},
                   "PublicFunctionUrls is not FunctionUrlAuthType == NONE")
        params = self.cfn["Parameters"]
        self.check(params["FunctionUrlAuthType"]["Default"] == "AWS_IAM", "Function URLs are not IAM-authenticated by default")
        self.check(params["Architecture"]["Default"] == "x86_64", "Architecture default is not x86_64")
        self.check(params["Architecture"].get("AllowedValues") == ["x86_64", "arm64"], "Architecture is not x86_64 | arm64")
        layers = self.of_type("AWS::Lambda::LayerVersion")
        self.check(sorted(name.rstrip("0123456789abcdef") for name in layers) == ["ModelsLayer", "WebAppLayer"],
                   f"layers: {sorted(layers)} (expected the models and the web app)")
        # The models layer is data (the same files for both architectures): one layer serves either.
        for name, layer in layers.items():
            if name.startswith("ModelsLayer"):
                self.check(sorted(layer["Properties"].get("CompatibleArchitectures", [])) == ["arm64", "x86_64"],
                           f"{name}: not compatible with both architectures")
        for name in ("ProcessFunction", "SearchFunction", "ApiFunction"):
            self.check(len(functions[name]["Properties"].get("Layers", [])) == 1, f"{name}: no models layer")

    def roles(self) -> None:
        roles = self.of_type("AWS::IAM::Role")
        self.check(set(roles) == set(EXPECTED_ACTIONS), f"roles: {sorted(roles)}")
        for name, role in roles.items():
            p = role["Properties"]
            self.check(not p.get("ManagedPolicyArns"), f"{name}: attaches managed policies (wildcard resources)")
            trust = p["AssumeRolePolicyDocument"]["Statement"]
            self.check(trust == [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
                       f"{name}: trust policy is not Lambda only")
            actions = set()
            for policy in p.get("Policies", []):
                for s in self.statements(policy["PolicyDocument"]):
                    self.check(s.get("Effect") == "Allow", f"{name}: unexpected {s.get('Effect')} statement")
                    acts = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
                    actions.update(acts)
                    for a in acts:
                        self.check("*" not in a, f"{name}: wildcard action {a}")
                    resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
                    for r in resources:
                        self.check(r != "*" and "NotResource" not in s, f"{name}: {acts} on every resource")
                        text = json.dumps(r)
                        if acts == ["s3:ListBucket"]:
                            # Only so that missing keys answer 404: the uploads bucket itself, nothing else.
                            self.check(text.endswith('-uploads-${AWS::AccountId}-${AWS::Region}"}'),
                                       f"{name}: ListBucket beyond the uploads bucket: {text}")
                        elif any(a == "s3:ListBucket" for a in acts):
                            self.check(False, f"{name}: ListBucket shares a statement with object actions")
                        elif any(a.startswith("s3:") for a in acts):
                            self.check(":s3:::" in text and "/" in text, f"{name}: S3 statement not scoped to a bucket's objects: {text}")
                            self.check(text.count("*") <= 1 and text.rstrip('"}]').endswith("*"),
                                       f"{name}: S3 resource with a wildcard in the middle: {text}")
                        if any(a.startswith("dynamodb:") for a in acts):
                            self.check(r in ({"Fn::GetAtt": ["RecordsTable", "Arn"]}, {"Fn::GetAtt": ["RecordsTable", "StreamArn"]},
                                             {"Fn::Sub": "${RecordsTable.Arn}/index/UnindexedFaces"}),
                                       f"{name}: DynamoDB beyond the table: {text}")
                        if any(a.startswith("logs:") for a in acts):
                            self.check(isinstance(r, dict) and "Fn::GetAtt" in r and r["Fn::GetAtt"][0].endswith("LogGroup"),
                                       f"{name}: logs beyond its own log group: {text}")
                        if any(a.startswith("sqs:") for a in acts):
                            self.check(r == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}, f"{name}: SQS beyond the DLQ: {text}")
            self.check(actions == EXPECTED_ACTIONS.get(name), f"{name}: actions {sorted(actions)} differ from {sorted(EXPECTED_ACTIONS.get(name, []))}")
        # Writes go where they belong.
        text = json.dumps(roles["ProcessRole"])
        self.check("-thumbnails-${AWS::AccountId}-${AWS::Region}/thumbnails/*" in text, "ProcessRole: writes not limited to thumbnails/")
        text = json.dumps(roles["SearchRole"])
        writes = [st for st in self.statements(roles["SearchRole"]["Properties"]["Policies"][0]["PolicyDocument"])
                  if "s3:PutObject" in json.dumps(st["Action"])]
        self.check(len(writes) == 1 and json.dumps(writes[0]["Resource"]).endswith('-thumbnails-${AWS::AccountId}-${AWS::Region}/sessions/*"}'),
                   "SearchRole: writes not limited to sessions/ of the thumbnail bucket")
        writes = [st for st in self.statements(roles["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"])
                  if "s3:PutObject" in json.dumps(st["Action"]) or "s3:DeleteObject" in json.dumps(st["Action"])]
        allowed = ('-uploads-${AWS::AccountId}-${AWS::Region}/albums/*"}', '-thumbnails-${AWS::AccountId}-${AWS::Region}/sessions/*"}',
                   '-thumbnails-${AWS::AccountId}-${AWS::Region}/thumbnails/people/*"}')
        self.check(len(writes) == 3 and all(json.dumps(st["Resource"]).endswith(allowed) for st in writes),
                   "ApiRole: writes (and so upload forms) not limited to albums/ of the uploads bucket, sessions/ and people states")
        # Presigned GETs carry the signer's rights: the api must be able to read every key the API presigns.
        reads = [r for st in self.statements(roles["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"])
                 if "s3:GetObject" in json.dumps(st["Action"])
                 for r in (st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]])]
        patterns = [r["Fn::Sub"].split("${AWS::Region}", 1)[1] for r in reads if isinstance(r, dict) and "Fn::Sub" in r]
        thumbnails = [p[1:] for p in patterns if p.startswith("/")]
        for key in ("thumbnails/200x200/albums/a1/IMG_1.jpg/00000001.jpg", "thumbnails/1024x1024c/~" + "ab" * 32 + "/00000001.jpg",
                    "thumbnails/faces/albums/a1/IMG_1.jpg/00000001/0.jpg", "sessions/zip-1.zip"):
            self.check(any(fnmatch.fnmatchcase(key, p) for p in thumbnails),
                       f"ApiRole: presigned thumbnail/ZIP key {key} is not readable by the signer ({thumbnails})")
        text = json.dumps(roles["PeopleRole"])
        self.check("-uploads-" not in text and text.count("/thumbnails/people/*") == 1, "PeopleRole: S3 beyond the people states")
        text = json.dumps(roles.get("WebAppPublisherRole", {}).get("Properties", {}).get("Policies", []))
        self.check("-uploads-" not in text and "-thumbnails-" not in text and "-web-${AWS::AccountId}-${AWS::Region}/*" in text,
                   "WebAppPublisherRole: writes beyond the web app bucket")

    def cdn(self) -> None:
        dists = self.of_type("AWS::CloudFront::Distribution")
        self.check(set(dists) == {"AppDistribution"}, f"distributions: {sorted(dists)}")
        for name, d in dists.items():
            config = d["Properties"]["DistributionConfig"]
            origins = config["Origins"]
            self.check(all("OriginAccessControlId" in o for o in origins), f"{name}: an origin has no origin access control")
            behaviours = [config["DefaultCacheBehavior"]] + config.get("CacheBehaviors", [])
            self.check(all(b["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only") for b in behaviours),
                       f"{name}: serves plain HTTP")
            self.check(config["DefaultCacheBehavior"].get("AllowedMethods") == ["GET", "HEAD"], f"{name}: default behaviour allows writes")
            api = [b for b in config.get("CacheBehaviors", []) if b.get("PathPattern") == "/api/*"]
            self.check(len(api) == 1 and api[0].get("TargetOriginId") == "api", f"{name}: no /api/* behaviour to the api origin")
            if api:
                self.check(api[0].get("CachePolicyId") == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", f"{name}: /api/* is cached at the edge")
                self.check(any(f.get("EventType") == "viewer-request" for f in api[0].get("FunctionAssociations", [])),
                           f"{name}: /api/* does not move the bearer token out of Authorization (origin access control signs there)")
            self.check(config.get("WebACLId") == {"Fn::If": ["CreateWaf", {"Fn::GetAtt": ["AppWebAcl", "Arn"]}, {"Ref": "AWS::NoValue"}]},
                       f"{name}: the optional web ACL is not attached")
        oac = self.of_type("AWS::CloudFront::OriginAccessControl")
        self.check(any(o["Properties"]["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "lambda" for o in oac.values()),
                   "no origin access control for the api function")
        acls = self.of_type("AWS::WAFv2::WebACL")
        self.check(len(acls) == 1, "no optional WAF web ACL")
        for name, acl in acls.items():
            rules = acl["Properties"]["Rules"]
            self.check(any("RateBasedStatement" in r["Statement"] for r in rules), f"{name}: no rate-based rule")
            self.check(any(r["Statement"].get("ManagedRuleGroupStatement", {}).get("Name") == "AWSManagedRulesCommonRuleSet" for r in rules),
                       f"{name}: no AWS managed common rule set")

    def outputs(self) -> None:
        outputs = set(self.cfn.get("Outputs", {}))
        for name in ("UploadsBucketName", "ThumbnailBucketName", "RecordsTableName", "SearchFunctionUrl", "ConvertFunctionUrl", "AppUrl"):
            self.check(name in outputs, f"output {name} missing")


def translate(path: Path) -> dict:
    """SAM -> CloudFormation, offline."""
    return translate_document(yaml_parse(path.read_text()))


def translate_document(sam: dict) -> dict:
    """SAM -> CloudFormation, offline. The translator wants a region for pseudo parameters only."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    sam = copy.deepcopy(sam)
    # `sam package` uploads local CodeUri/ContentUri and puts S3 URIs there; do the same with a
    # stand-in bucket so the translator accepts the template.
    for name, resource in sam["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://packaged-artifacts/{props[key]}"
    return transform(sam, {}, ManagedPolicies())


def run_checks(cfn: dict) -> Checker:
    checker = Checker(cfn)
    for step in (checker.buckets, checker.table, checker.failures_path, checker.logs, checker.functions, checker.roles,
                 checker.cdn, checker.outputs):
        step()
    return checker


def _statement(sam: dict, role: str, sid: str) -> dict:
    statements = sam["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    return next(s for s in statements if s.get("Sid") == sid)


#: Broken variants of the template, each of which the checks must reject (proves they can fail).
MUTATIONS = {
    "public access block off": lambda t: t["Resources"]["UploadsBucket"]["Properties"]["PublicAccessBlockConfiguration"]
        .update(RestrictPublicBuckets=False),
    "no encryption": lambda t: t["Resources"]["ThumbnailBucket"]["Properties"].pop("BucketEncryption"),
    "no TLS-only statement": lambda t: t["Resources"]["UploadsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"].pop(),
    "public read statement": lambda t: t["Resources"]["UploadsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}),
    "no sessions lifecycle": lambda t: t["Resources"]["UploadsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"].pop(0),
    "wildcard resource": lambda t: _statement(t, "ConvertRole", "ReadOriginals").update(Resource="*"),
    "wildcard action": lambda t: _statement(t, "ConvertRole", "ReadOriginals").update(Action="s3:*"),
    "extra action": lambda t: _statement(t, "SearchRole", "ReadRecords").update(Action=["dynamodb:Query", "dynamodb:Scan"]),
    "search writes thumbnails": lambda t: _statement(t, "SearchRole", "WriteSessionZips").update(
        Resource={"Fn::Sub": "arn:${AWS::Partition}:s3:::${NamePrefix}-thumbnails-${AWS::AccountId}-${AWS::Region}/*"}),
    "whole table family": lambda t: _statement(t, "ProcessRole", "Records").update(
        Resource={"Fn::Sub": "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"}),
    "logs anywhere": lambda t: _statement(t, "ProcessRole", "Logs").update(Resource="*"),
    "process writes originals": lambda t: _statement(t, "ProcessRole", "WriteThumbnails").update(
        Resource={"Fn::Sub": "arn:${AWS::Partition}:s3:::${NamePrefix}-uploads-${AWS::AccountId}-${AWS::Region}/*"}),
    "web app bucket public": lambda t: t["Resources"]["WebAppBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}),
    "publisher writes photos": lambda t: _statement(t, "WebAppPublisherRole", "WriteAppFiles").update(
        Resource={"Fn::Sub": "arn:${AWS::Partition}:s3:::${NamePrefix}-uploads-${AWS::AccountId}-${AWS::Region}/*"}),
    "managed policy": lambda t: t["Resources"]["ConvertRole"]["Properties"].update(
        ManagedPolicyArns=["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]),
    "no retention": lambda t: t["Resources"]["SearchLogGroup"]["Properties"].pop("RetentionInDays"),
    "no PITR": lambda t: t["Resources"]["RecordsTable"]["Properties"].pop("PointInTimeRecoverySpecification"),
    "public URLs by default": lambda t: t["Parameters"]["FunctionUrlAuthType"].update(Default="NONE"),
    "x86-only models layer": lambda t: t["Resources"]["ModelsLayer"]["Properties"].update(CompatibleArchitectures=["x86_64"]),
    "no arm64": lambda t: t["Parameters"]["Architecture"].update(AllowedValues=["x86_64"]),
    "no on-failure destination": lambda t: t["Resources"]["ProcessFunction"]["Properties"].pop("EventInvokeConfig"),
    "suffix missing": lambda t: t["Resources"]["ProcessFunction"]["Properties"]["Events"]["UploadEvents"]["Properties"]
        ["Pattern"]["detail"]["object"]["key"].pop(),
    "unconditional public URL": lambda t: t["Resources"]["SearchFunctionUrlPublicAccess"].pop("Condition"),
    "public URL without invoke permission": lambda t: t["Resources"].pop("ConvertFunctionUrlPublicInvoke"),
    "public invoke beyond the URL": lambda t: t["Resources"]["SearchFunctionUrlPublicInvoke"]["Properties"].pop("InvokedViaFunctionUrl"),
    "list every bucket": lambda t: _statement(t, "ConvertRole", "MissingKeysAre404").update(Resource={"Fn::Sub": "arn:${AWS::Partition}:s3:::*"}),
    "plain HTTP CDN": lambda t: t["Resources"]["AppDistribution"]["Properties"]["DistributionConfig"]
        ["CacheBehaviors"][0].update(ViewerProtocolPolicy="allow-all"),
    "public thumbnail CDN again": lambda t: t["Resources"]["ThumbnailBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
         "Resource": {"Fn::Sub": "${ThumbnailBucket.Arn}/thumbnails/*"}}),
    "public api URL": lambda t: t["Resources"]["ApiFunction"]["Properties"]["FunctionUrlConfig"].update(AuthType="NONE"),
    "anyone invokes the api": lambda t: t["Resources"]["ApiFunctionUrlFromCloudFront"]["Properties"].update(Principal="*"),
    "admin hash echoed": lambda t: t["Parameters"]["AdminTokenSha256"].pop("NoEcho"),
    "upload forms anywhere": lambda t: _statement(t, "ApiRole", "UploadAndDeleteAlbumPhotos").update(
        Resource={"Fn::Sub": "arn:${AWS::Partition}:s3:::${NamePrefix}-uploads-${AWS::AccountId}-${AWS::Region}/*"}),
    "api unreserved": lambda t: t["Resources"]["ApiFunction"]["Properties"].pop("ReservedConcurrentExecutions"),
    "cached API answers": lambda t: t["Resources"]["AppDistribution"]["Properties"]["DistributionConfig"]["CacheBehaviors"][0]
        .update(CachePolicyId="658327ea-f89d-4fab-a63d-7e88639e58f6"),
    "no rate limit": lambda t: t["Resources"]["AppWebAcl"]["Properties"]["Rules"].pop(0),
    "api cannot read sized thumbnails": lambda t: _statement(t, "ApiRole", "ReadAndPresign")["Resource"].__setitem__(1,
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${NamePrefix}-thumbnails-${AWS::AccountId}-${AWS::Region}/thumbnails/albums/*"}),
    "people failures dropped": lambda t: t["Resources"]["PeopleFunction"]["Properties"]["Events"]["FaceChanges"]["Properties"]
        .pop("DestinationConfig"),
    "CORS from anywhere": lambda t: t["Resources"]["UploadsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"][0].update(
        AllowedOrigins=["*"]),
}


def self_test(path: Path) -> int:
    """Every mutation must fail at least one check; the template itself must pass."""
    sam = yaml_parse(path.read_text())
    base = run_checks(translate_document(sam))
    ok = not base.failures
    if not ok:
        print(f"check-template self-test: the template itself fails: {base.failures}", file=sys.stderr)
    for name, mutate in MUTATIONS.items():
        broken = copy.deepcopy(sam)
        mutate(broken)
        try:
            failures = run_checks(translate_document(broken)).failures
        except InvalidDocumentException as e:
            failures = [str(e)]
        if not failures:
            ok = False
            print(f"check-template self-test: mutation '{name}' was NOT caught", file=sys.stderr)
    print(f"check-template self-test: {len(MUTATIONS)} broken variants, {'all caught' if ok else 'SOME MISSED'}")
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test(Path(argv[2]) if len(argv) > 2 else ROOT / "template.yaml")
    path = Path(argv[1]) if len(argv) > 1 else ROOT / "template.yaml"
    try:
        cfn = translate(path)
    except InvalidDocumentException as e:
        print(f"check-template: SAM translation failed: {'; '.join(str(c) for c in e.causes)}", file=sys.stderr)
        return 1
    checker = run_checks(cfn)
    if checker.failures:
        for f in checker.failures:
            print(f"check-template: FAIL {f}", file=sys.stderr)
        print(f"check-template: {len(checker.failures)} failed, {checker.passed} passed", file=sys.stderr)
        return 1
    print(f"check-template: {checker.passed} checks passed on {len(cfn['Resources'])} translated resources")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
