// The reference for tests/e2e/test_http_framing.py: Node's own HTTP server, whose llhttp parser
// runs in strict mode (insecureHTTPParser off; the test starts Node without NODE_OPTIONS).
//
// It answers every request it read to the end with 200 and {"body_bytes": <length it saw>}, and
// reports on stdout what its parser made of each connection, one JSON line when the connection
// closes: {"port": <client port>, "requests": [{"method", "url", "complete", "body_bytes"}],
// "error": <Node's error code, e.g. "HPE_INVALID_CHUNK_SIZE", or null>}. The report, not the
// answers, is the verdict: Node drops answers still pending when a later request on the
// connection fails to parse. The first line is {"port": <listening port>, "node", "llhttp",
// "max_header_size"}.
//
// Usage: node node_server.mjs   (listens on a free port of 127.0.0.1; stops on SIGTERM)
import http from 'node:http';

const server = http.createServer({ insecureHTTPParser: false });
// The test half-closes its side after sending; by default Node then drops the requests it is
// still answering. Answer them, then close.
server.httpAllowHalfOpen = true;

const connections = new WeakMap();

server.on('connection', (socket) => {
  const report = { port: socket.remotePort, requests: [], error: null };
  connections.set(socket, report);
  // A parse error reaches the socket as the error it is destroyed with, after Node's default
  // clientError answer (400, or 431 for an oversized head).
  socket.on('error', (error) => {
    report.error ??= error.code ?? String(error);
  });
  socket.on('close', () => {
    const requests = report.requests.map(({ request, bodyBytes }) => ({
      method: request.method,
      url: request.url,
      complete: request.complete,
      body_bytes: bodyBytes,
    }));
    process.stdout.write(`${JSON.stringify({ ...report, requests })}\n`);
  });
});

server.on('request', (request, response) => {
  const seen = { request, bodyBytes: 0 };
  connections.get(request.socket)?.requests.push(seen);
  request.on('data', (chunk) => {
    seen.bodyBytes += chunk.length;
  });
  request.on('end', () => {
    const body = JSON.stringify({ body_bytes: seen.bodyBytes });
    response.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    });
    response.end(body);
  });
});

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({
    port: server.address().port,
    node: process.versions.node,
    llhttp: process.versions.llhttp,
    max_header_size: http.maxHeaderSize,
  })}\n`);
});
