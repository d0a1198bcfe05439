"""A loopback stand-in for the Aiven API: `GET /v1/access_token` answers a canned list.

Usage: canned_server.py TOKENS [CERT KEY]
Listens on 127.0.0.1:0 (HTTPS when CERT and KEY are given), prints the port on stdout, and
serves until killed. Used by bench.py for the 10,000-token list, the HTTPS request, and as
the server when the sandbox is not available.
"""

import http.server
import json
import ssl
import sys


def token(index):
    return {
        "create_time": "2021-08-16T15:29:14.000001Z",
        "created_manually": index < 5,
        "currently_active": index == 0,
        "description": f"bench token {index}",
        "expiry_time": "2031-09-15T15:29:14.654321Z",
        "extend_when_used": True,
        "last_ip": "192.168.1.1",
        "last_used_time": "2021-08-16T15:29:14Z",
        "last_user_agent": "aiven-client/4.18.0",
        "last_user_agent_human_readable": "Aiven Client 4.18.0",
        "max_age_seconds": 2592000,
        "token_prefix": f"bench{index:07d}",
    }


def main():
    count = int(sys.argv[1])
    body = json.dumps({"tokens": [token(i) for i in range(count)]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Without this, Nagle + delayed ACK can add 40 ms to small TLS writes: the
        # server, not the client, would be measured.
        disable_nagle_algorithm = True

        def do_GET(self):
            if self.path != "/v1/access_token":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if len(sys.argv) == 4:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
