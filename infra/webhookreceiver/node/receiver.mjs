// A webhook receiver for Filegate's tests: every delivery to POST /hook is
// verified with the official standardwebhooks package against the secrets
// the test gave it, and recorded; one that does not verify is answered 401. The test drives it over /control:
//   POST /control/secrets {"secrets": ["whsec_…"]}   secrets to verify with
//   POST /control/mode    {"status": 204, "hold": false}
//        status: what /hook answers a verified delivery; hold: keep each
//        request open, unanswered
//   GET  /control/deliveries                        every delivery received
// It listens on 127.0.0.1 and $PORT (a free port if unset), printed as
// {"port": N} on stdout.
import http from "node:http";
import { Webhook } from "standardwebhooks";

// Secrets it starts with (space-separated in $SECRETS): a receiver restarted
// verifies from its first request.
let secrets = (process.env.SECRETS || "").split(" ").filter(Boolean);
let mode = { status: 204, hold: false };
const deliveries = [];
const held = [];

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

// verify tries each secret; the official library checks the signature
// (any of the space-separated v1 signatures) and that the timestamp is
// within 5 minutes of now.
function verify(body, headers) {
  let error = "no secret configured";
  for (const s of secrets) {
    try {
      new Webhook(s).verify(body, {
        "webhook-id": headers["webhook-id"],
        "webhook-timestamp": headers["webhook-timestamp"],
        "webhook-signature": headers["webhook-signature"],
      });
      return { verified: true, secret: s };
    } catch (e) {
      error = String(e && e.message ? e.message : e);
    }
  }
  return { verified: false, error };
}

const server = http.createServer(async (req, res) => {
  try {
    const body = await readBody(req);
    if (req.method === "POST" && req.url === "/hook") {
      const v = verify(body, req.headers);
      let payload = null;
      try {
        payload = JSON.parse(body);
      } catch {}
      // What it cannot verify (no secret yet, another secret) it refuses,
      // as a real receiver must: acknowledged, the sender would count it
      // delivered and never send it again.
      const status = mode.hold ? 0 : v.verified ? mode.status : 401;
      deliveries.push({
        id: req.headers["webhook-id"] || "",
        timestamp: req.headers["webhook-timestamp"] || "",
        signature: req.headers["webhook-signature"] || "",
        userAgent: req.headers["user-agent"] || "",
        verified: v.verified,
        secret: v.secret || "",
        error: v.error || "",
        status,
        receivedAt: new Date().toISOString(),
        payload,
      });
      if (mode.hold) {
        held.push(res);
        return;
      }
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(v.verified ? "ok" : "unverified: " + v.error);
      return;
    }
    if (req.method === "POST" && req.url === "/control/secrets") {
      secrets = JSON.parse(body).secrets || [];
      return json(res, 200, { secrets: secrets.length });
    }
    if (req.method === "POST" && req.url === "/control/mode") {
      mode = { status: 204, hold: false, ...JSON.parse(body) };
      if (!mode.hold) {
        // Held requests are dropped without an answer: their sender saw
        // nothing (as a receiver that died would leave them).
        for (const r of held.splice(0)) r.destroy();
      }
      return json(res, 200, mode);
    }
    if (req.method === "GET" && req.url === "/control/deliveries") {
      return json(res, 200, deliveries);
    }
    json(res, 404, { error: "not found" });
  } catch (e) {
    json(res, 500, { error: String(e) });
  }
});

server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
