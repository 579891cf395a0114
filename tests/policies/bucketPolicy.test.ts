import { strict as assert } from "node:assert";
import { ghesBucketPolicy } from "../../policies/bucketPolicy";
import { ghesIdentityPolicy } from "../../policies/identityPolicy";
import { evaluate } from "../support/iamEvaluator";

const BUCKET = "arn:aws:s3:::acme-ghes-packages";
const OBJECT = `${BUCKET}/npm/pkg.tgz`;
const identity = ghesIdentityPolicy({ bucketArn: BUCKET });
const tls = (version: string) => ({ "aws:SecureTransport": "true", "s3:TlsVersion": version });

describe("policies/bucketPolicy: transport and network restrictions", () => {
    const policy = ghesBucketPolicy({ bucketArn: BUCKET });

    it("only denies: access comes solely from the identity policy", () => {
        assert.ok(policy.Statement.every((s) => s.Effect === "Deny" && s.Principal === "*"));
    });

    it("lets the GHES key in over TLS 1.2 and 1.3", async () => {
        for (const v of ["1.2", "1.3"]) {
            assert.equal(await evaluate({ identity, resourcePolicy: policy, action: "s3:GetObject", resource: OBJECT, context: tls(v) }), "Allowed", v);
        }
    });

    it("denies a plain-HTTP request, even from the GHES key", async () => {
        assert.equal(await evaluate({ identity, resourcePolicy: policy, action: "s3:GetObject", resource: OBJECT, context: { "aws:SecureTransport": "false", "s3:TlsVersion": "1.2" } }), "ExplicitlyDenied");
        assert.equal(await evaluate({ identity, resourcePolicy: policy, action: "s3:ListBucket", resource: BUCKET, context: { "aws:SecureTransport": "false" } }), "ExplicitlyDenied");
    });

    it("denies TLS 1.0 and 1.1", async () => {
        for (const v of ["1.0", "1.1"]) {
            assert.equal(await evaluate({ identity, resourcePolicy: policy, action: "s3:PutObject", resource: OBJECT, context: tls(v) }), "ExplicitlyDenied", v);
        }
    });

    it("with an allow list, denies data access from other addresses but not from listed ones", async () => {
        const restricted = ghesBucketPolicy({ bucketArn: BUCKET, allowedSourceCidrs: ["203.0.113.0/24", "2001:db8::/32"] });
        const from = (ip: string) => ({ ...tls("1.2"), "aws:SourceIp": ip });
        assert.equal(await evaluate({ identity, resourcePolicy: restricted, action: "s3:GetObject", resource: OBJECT, context: from("203.0.113.7") }), "Allowed");
        assert.equal(await evaluate({ identity, resourcePolicy: restricted, action: "s3:GetObject", resource: OBJECT, context: from("2001:db8::1") }), "Allowed");
        assert.equal(await evaluate({ identity, resourcePolicy: restricted, action: "s3:GetObject", resource: OBJECT, context: from("198.51.100.9") }), "ExplicitlyDenied");
        assert.equal(await evaluate({ identity, resourcePolicy: restricted, action: "s3:ListBucket", resource: BUCKET, context: from("198.51.100.9") }), "ExplicitlyDenied");
    });

    it("with VPC endpoints listed, also lets requests through those endpoints in (they carry no public address)", async () => {
        const p = ghesBucketPolicy({ bucketArn: BUCKET, allowedSourceCidrs: ["203.0.113.0/24"], allowedVpcEndpointIds: ["vpce-0a1b2c3d4e5f60718"] });
        const viaEndpoint = (vpce: string) => ({ ...tls("1.2"), "aws:SourceVpce": vpce, "aws:SourceIp": "10.1.2.3" });
        assert.equal(await evaluate({ identity, resourcePolicy: p, action: "s3:PutObject", resource: OBJECT, context: viaEndpoint("vpce-0a1b2c3d4e5f60718") }), "Allowed");
        assert.equal(await evaluate({ identity, resourcePolicy: p, action: "s3:PutObject", resource: OBJECT, context: viaEndpoint("vpce-99999999999999999") }), "ExplicitlyDenied");
        assert.equal(await evaluate({ identity, resourcePolicy: p, action: "s3:GetObject", resource: OBJECT, context: { ...tls("1.2"), "aws:SourceIp": "198.51.100.9" } }), "ExplicitlyDenied");
        assert.equal(await evaluate({ identity, resourcePolicy: p, action: "s3:GetObject", resource: OBJECT, context: { ...tls("1.2"), "aws:SourceIp": "203.0.113.9" } }), "Allowed");
    });

    it("without an allow list, has no address condition at all", () => {
        assert.ok(!JSON.stringify(policy).includes("aws:SourceIp"));
    });

    // Written out whole: this is what the plan shows and what the stack's state holds; any change
    // to it (a Sid included) is an update of every user's bucket policy.
    it("is exactly the two TLS denies, and with an allow list and endpoints the data-access deny, as written here", () => {
        const tlsDenies = [
            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET, `${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
            { Sid: "DenyOutdatedTls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET, `${BUCKET}/*`], Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
        ];
        const dataActions = ["s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];
        assert.deepEqual(policy, { Version: "2012-10-17", Statement: tlsDenies });
        const cidrs = ["203.0.113.0/24"];
        const endpoints = ["vpce-0a1b2c3d4e5f60718"];
        assert.deepEqual(ghesBucketPolicy({ bucketArn: BUCKET, allowedSourceCidrs: cidrs, allowedVpcEndpointIds: endpoints }), { Version: "2012-10-17", Statement: [...tlsDenies, {
            Sid: "DenyDataAccessOutsideAllowedNetworks", Effect: "Deny", Principal: "*", Action: dataActions, Resource: [BUCKET, `${BUCKET}/*`],
            Condition: { NotIpAddress: { "aws:SourceIp": ["203.0.113.0/24"] }, StringNotEqualsIfExists: { "aws:SourceVpce": ["vpce-0a1b2c3d4e5f60718"] } },
        }] });
        const withoutEndpoints = ghesBucketPolicy({ bucketArn: BUCKET, allowedSourceCidrs: cidrs, allowedVpcEndpointIds: [] });
        assert.deepEqual(withoutEndpoints.Statement[2].Condition, { NotIpAddress: { "aws:SourceIp": ["203.0.113.0/24"] } }, "an empty endpoint list adds no condition");
        cidrs.push("198.51.100.0/24");
        endpoints.push("vpce-99999999999999999");
        assert.deepEqual(withoutEndpoints.Statement[2].Condition, { NotIpAddress: { "aws:SourceIp": ["203.0.113.0/24"] } }, "the document holds its own copies of the lists");
    });
});
