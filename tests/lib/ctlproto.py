"""srfdd's control protocol (include/srfd/srfd.h) for tests: record layouts,
a raw client, and a fake srfdd that answers with scripted records."""
import os
import socket
import struct
import threading

PROTO = 2
HDR = struct.Struct("=Ii")                  # struct srfd_ctl_hdr
REQ = struct.Struct("=IiII32s")             # struct srfd_ctl_req
HELLO = struct.Struct("=IiII32sQQ")         # struct srfd_ctl_hello
OPS = {"session_show": 1, "monitor": 2, "stats_show": 3, "prefix_show": 4,
       "reload": 5, "flush": 6, "stats_clear": 7, "session_disable": 8,
       "session_enable": 9, "version": 10}
SESSION_REC, EVENT_REC, COUNTER_REC, PREFIX_REC, MSG_REC, HELLO_REC = 100, 101, 102, 103, 104, 105
END, ERROR = 199, 200
SESSION_V1_LEN, SESSION_LEN, EVENT_LEN = 120, 248, 200


def req(op, arg=b"", proto=PROTO):
    return REQ.pack(op, 0, proto, 0, arg)


def hello(proto=PROTO, version=b"9.9.9"):
    return HELLO.pack(HELLO_REC, 0, proto, 6, version, 1, 1)


def records(sock):
    """Every record until END/ERROR (or EOF): a list of (op, status, bytes)."""
    out = []
    while True:
        b = sock.recv(65536)
        if not b:
            return out
        op, status = HDR.unpack(b[:HDR.size])
        out.append((op, status, b))
        if op in (END, ERROR):
            return out


def raw(path, timeout=5):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)         # blocking: a full backlog waits for srfdd
    s.settimeout(timeout)
    return s


class FakeDaemon:
    """Listens on @path; answers each request with what @script(request)
    returns (a list of records) and remembers the requests."""

    def __init__(self, path, script):
        self.path, self.script, self.requests = path, script, []
        if os.path.exists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.bind(path)
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            with c:
                try:
                    r = c.recv(4096)
                    self.requests.append(r)
                    for rec in self.script(r):
                        c.send(rec)
                except OSError:
                    pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()
        os.unlink(self.path)
