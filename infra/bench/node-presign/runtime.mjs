// A minimal Lambda Runtime API client (2018-06-01), mirroring what the AWS
// Node.js runtime's interface client does: load the handler named by _HANDLER
// from LAMBDA_TASK_ROOT (init), then loop GET /invocation/next → run the
// handler → POST /invocation/{id}/response (or /error). Init errors go to
// /init/error. The benchmark starts it as `node runtime.mjs` (no shell), so
// init = process start → first GET /next, as for a Go bootstrap.
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const base = "/2018-06-01/runtime";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const [host, port] = api.split(":");
    const req = http.request({ host, port, method, path: base + url, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

function errorDoc(err) {
  return JSON.stringify({
    errorType: err?.name || "Error",
    errorMessage: err?.message || String(err),
    stackTrace: String(err?.stack || "").split("\n").slice(1).map((s) => s.trim()),
  });
}

async function loadHandler() {
  const [moduleName, fnName] = (process.env._HANDLER || "index.handler").split(".");
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const mod = await import(pathToFileURL(path.join(root, moduleName + ".mjs")).href);
  const fn = mod[fnName];
  if (typeof fn !== "function") throw new TypeError(`${moduleName}.${fnName} is not a function`);
  return fn;
}

let handler;
try {
  handler = await loadHandler();
} catch (err) {
  await request("POST", "/init/error", errorDoc(err), { "Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError" });
  process.exit(1);
}

for (;;) {
  const next = await request("GET", "/invocation/next");
  const id = next.headers["lambda-runtime-aws-request-id"];
  const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
  if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
  const context = {
    awsRequestId: id,
    invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    callbackWaitsForEmptyEventLoop: true,
  };
  try {
    const result = await handler(JSON.parse(next.body), context);
    await request("POST", `/invocation/${id}/response`, JSON.stringify(result ?? null), { "Content-Type": "application/json" });
  } catch (err) {
    await request("POST", `/invocation/${id}/error`, errorDoc(err), { "Lambda-Runtime-Function-Error-Type": "Handler.Error" });
  }
}
