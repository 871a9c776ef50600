#!/usr/bin/env python3
"""The homework's reference design, written for comparison with `toolkit chat server`.

The classic course answer: one UDP socket, a dict from names to client addresses, and
`os.fork()` so a child process can read the administrator's keyboard while the parent serves.
Requests are single datagrams:

    L name          enter the room        -> "OK", or "FAIL <reason>" if the name is taken
    C name text     say something         -> everyone else gets "name 说 : text"
    Q name          leave                 -> everyone else gets "name 退出了聊天"

The admin child sends "C 管理员 text" to the parent's own socket, so every client gets
"管理员 说 : text" (the notes' design; the toolkit's server uses a pipe instead, which no network
peer can write into).

It is measured "as far as it works": UDP may drop datagrams when the socket buffer fills, and the
bench reports those losses.

Usage: python3 benches/reference_chat.py [PORT]   (prints its address as the first line)
"""

import os
import signal
import socket
import sys


def serve(sock):
    users = {}  # name -> (ip, port)
    while True:
        data, addr = sock.recvfrom(4096)
        text = data.decode("utf-8", "replace")
        kind, _, rest = text.partition(" ")
        if kind == "L":
            name = rest.strip()
            if not name or name in users or name == "管理员":
                sock.sendto("FAIL 该用户已存在".encode(), addr)
                continue
            sock.sendto(b"OK", addr)
            notice = f"{name} 进入了聊天室".encode()
            for other in users.values():
                sock.sendto(notice, other)
            users[name] = addr
        elif kind == "C":
            name, _, message = rest.partition(" ")
            line = f"{name} 说 : {message}".encode()
            for other_name, other in users.items():
                if other_name != name:
                    sock.sendto(line, other)
        elif kind == "Q":
            name = rest.strip()
            if users.pop(name, None) is not None:
                notice = f"{name} 退出了聊天".encode()
                for other in users.values():
                    sock.sendto(notice, other)


def admin_console(address):
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line:
            out.sendto(f"C 管理员 {line}".encode(), address)
    os._exit(0)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # A larger receive buffer than the default, as a careful student would set.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    sock.bind(("127.0.0.1", port))
    address = sock.getsockname()
    print(f"{address[0]}:{address[1]}", flush=True)
    # The admin child is reaped automatically: its exit must not leave a zombie.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    pid = os.fork()
    if pid == 0:
        admin_console(address)
    try:
        serve(sock)
    except KeyboardInterrupt:
        pass
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


if __name__ == "__main__":
    main()
