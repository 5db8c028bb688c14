// The common alternative to Filegate's create-file, for the cold-start
// comparison (infra/bench/results/results.md): a Node.js Lambda handler in the shape of AWS's
// presigned-upload samples — AWS SDK v3 S3Client created at module scope,
// @aws-sdk/s3-request-presigner's getSignedUrl on a PutObjectCommand — that
// presigns one PUT pinning Content-Type, Content-Length and If-None-Match: *,
// as Filegate's presign does. Dependencies are pinned in package-lock.json.
import { randomUUID } from "node:crypto";
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

// Region, credentials and AWS_ENDPOINT_URL_S3 come from the environment, as on Lambda.
const s3 = new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === "true" });
const bucket = process.env.BUCKET_NAME;
const expiresIn = Number(process.env.UPLOAD_URL_TTL_SECONDS || 900);

const reply = (statusCode, body) => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export const handler = async (event) => {
  let req;
  try {
    const raw = event.isBase64Encoded ? Buffer.from(event.body || "", "base64").toString() : event.body || "{}";
    req = JSON.parse(raw);
  } catch {
    return reply(400, { error: { type: "invalid_request", message: "the body must be JSON" } });
  }
  const { filename, mimeType, sizeBytes } = req || {};
  if (typeof filename !== "string" || filename.length < 1 || typeof mimeType !== "string" || !Number.isInteger(sizeBytes) || sizeBytes < 1) {
    return reply(400, { error: { type: "invalid_request", message: "filename, mimeType and sizeBytes are required" } });
  }
  const project = event.requestContext?.authorizer?.lambda?.projectId || "default";
  const id = randomUUID();
  const command = new PutObjectCommand({
    Bucket: bucket,
    Key: `uploads/${project}/${id}`,
    ContentType: mimeType,
    ContentLength: sizeBytes,
    IfNoneMatch: "*",
  });
  const uploadUrl = await getSignedUrl(s3, command, {
    expiresIn,
    signableHeaders: new Set(["content-type", "content-length", "if-none-match"]),
  });
  return reply(200, {
    id,
    filename,
    uploadUrl,
    uploadHeaders: { "Content-Type": mimeType, "Content-Length": String(sizeBytes), "If-None-Match": "*" },
  });
};
