#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (run from the repository root; commit the result).

Seeds are valid inputs of each format — the fuzzer mutates them — taken from real sources where the
repository has them: keepalived's captured adverts, deploy/*.yaml, the YAML examples in docs/.
"""
import os, re, socket, struct, glob, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "fuzz", "corpus")

seen = set()

def write(target, name, data):
    data = data if isinstance(data, bytes) else data.encode()
    if (target, data) in seen:
        return  # the same bytes under another name teach the fuzzer nothing
    seen.add((target, data))
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

# http1-response: byte 0 bit 0 = the request was HEAD; then what the backend sent.
responses = {
    "content-length": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nCache-Control: max-age=60\r\n\r\nhello",
    "chunked-trailer": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nVary: Accept-Encoding\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n",
    "not-modified": b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nSet-Cookie: sid=a\r\nSet-Cookie: b=c\r\n\r\n",
    "no-content": b"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n",
    "continue-then-ok": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
    "http10-until-close": b"HTTP/1.0 200 OK\nServer: old\nContent-Type: text/html\n\n<html></html>",
    "connection-close": b"HTTP/1.1 502 Bad Gateway\r\nConnection: close, X-Private\r\nX-Private: 1\r\nContent-Length: 3\r\n\r\nbad",
    "both-framings": b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
    "nginx-like": b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 04 Dec 2026 16:00:00 GMT\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\nETag: \"6570-2\"\r\nAccept-Ranges: bytes\r\n\r\n{}",
}
for name, body in responses.items():
    write("http1-response", name, b"\x00" + body)
write("http1-response", "head-with-length", b"\x01HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")

# chunked: byte 0 picks the piece size; then the body after the head.
chunked = {
    "simple": b"5\r\nhello\r\n0\r\n\r\n",
    "extensions": b"3;name=value;q=\"x\"\r\nabc\r\n1 ; a\r\nd\r\n0\r\n\r\n",
    "trailers": b"A\r\n0123456789\r\n0\r\nExpires: 0\r\nX-A: b\r\n\r\n",
    "bare-lf": b"2\nhi\n0\n\n",
    "hex-upper": b"1F\r\n" + b"x" * 31 + b"\r\n0\r\n\r\n",
}
for i, (name, body) in enumerate(chunked.items()):
    write("chunked", name, bytes([i * 7]) + body)

# proxy-protocol: the first bytes a balancer in front sends (haproxy proxy-protocol.txt).
sig = b"\r\n\r\n\x00\r\nQUIT\n"
def v2(cmd, fam, payload):
    return sig + bytes([0x20 | cmd, fam]) + struct.pack(">H", len(payload)) + payload
inet = socket.inet_pton
write("proxy-protocol", "v1-tcp4", b"PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\nGET / HTTP/1.1\r\n")
write("proxy-protocol", "v1-tcp6", b"PROXY TCP6 2001:db8::1 2001:db8::2 4711 80\r\n")
write("proxy-protocol", "v1-unknown", b"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\nSSH-2.0\r\n")
write("proxy-protocol", "v2-inet", v2(1, 0x11, inet(socket.AF_INET, "192.0.2.10") + inet(socket.AF_INET, "198.51.100.1") + struct.pack(">HH", 56324, 443)) + b"\x16\x03\x01")
write("proxy-protocol", "v2-inet6-tlv", v2(1, 0x21, inet(socket.AF_INET6, "2001:db8::1") + inet(socket.AF_INET6, "::ffff:192.0.2.7") + struct.pack(">HH", 1, 2) + b"\x04\x00\x01\x00"))
write("proxy-protocol", "v2-local", v2(0, 0x00, b""))
write("proxy-protocol", "v2-unix", v2(1, 0x31, b"/run/a.sock".ljust(108, b"\0") + b"/run/b.sock".ljust(108, b"\0")))
write("proxy-protocol", "v2-unspec", v2(1, 0x00, b"\x01\x02"))

# vrrp: keepalived's own adverts, as IP datagrams (the .hex files without an Ethernet header).
testdata = os.environ.get("VRRP_TESTDATA", "/work/shared/testdata/vrrp")
for path in sorted(glob.glob(os.path.join(testdata, "*.hex"))):
    name = os.path.basename(path)
    hexes = "".join(l for l in open(path) if not l.startswith("#"))
    data = bytes.fromhex("".join(hexes.split()))
    if name.endswith(".frame.hex"):
        if data[12:14] not in (b"\x08\x00", b"\x86\xdd"):
            continue  # ARP: not VRRP
        data = data[14:]
    write("vrrp", name.replace(".hex", ""), data)

# config: the deploy examples and every YAML block of the docs.
SKELETON = {
    "pools": "pools:\n" + "".join(f"  {p}: {{ backends: [ 127.0.0.1:{8081 + i} ] }}\n"
                                  for i, p in enumerate(["web", "api", "db-read", "db-write", "mail", "legacy"])),
    "listeners": "listeners:\n  - { name: www, listen: 127.0.0.1:8080, routes: [ { pool: web } ] }\n",
}

def complete(block):
    top = set(re.findall(r"^([a-z_]+):", block, re.M))
    return block + "".join(text for key, text in SKELETON.items() if key not in top)

for path in sorted(glob.glob(os.path.join(root, "deploy", "*.yaml"))):
    write("config", "deploy-" + os.path.basename(path), open(path, "rb").read())
for path in sorted(glob.glob(os.path.join(root, "docs", "*.md"))) + [os.path.join(root, "README.md")]:
    blocks = re.findall(r"```yaml\n(.*?)```", open(path).read(), re.S)
    for i, block in enumerate(blocks):
        name = f"{os.path.basename(path)[:-3]}-{i}"
        write("config", name + ".yaml", block)
        # Most doc examples are one section: completed, they become configs `run` would build,
        # which is where the config target checks that check and run agree.
        if re.match(r"[a-z_]+:", block):
            write("config", name + "-whole.yaml", complete(block))
