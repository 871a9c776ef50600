#!/usr/bin/env python3
"""The homework's chatroom as the course writes it: a UDP server, with os.fork() for the admin.

One UDP socket, a dict from names to client addresses, and `os.fork()` so that a child process
reads the administrator's keyboard while the parent serves. Requests are single datagrams:

    L name          enter the room        -> "OK", or "FAIL <reason>" if the name is taken
    C name text     say something         -> everyone else gets "name 说 ： text"
    Q name          leave                 -> everyone else gets "name 退出了聊天"
    A text          (from the admin child) -> everyone gets "管理员说 :text"

Entering sends everyone else "name 进入了聊天室". The four sentences are the course notes' own
bytes (a fullwidth colon between spaces after 说; an ASCII colon and no space after 管理员说).

What this design cannot promise, and `toolkit chat server` (TCP) does: any program that can send
a datagram to the port can send "A ..." or "C alice ..." and speak as the administrator or as
alice; UDP drops datagrams when a socket buffer fills (measure it: `toolkit chat bench --protocol
udp`); and nobody learns that a client has gone unless it says Q. Lesson 14 explains why.

Usage: python3 examples/python/udp_server.py [PORT]   (prints its address as the first line;
then type a line to speak as the administrator)
"""

import os
import signal
import socket
import sys


def broadcast(sock, users, data, skip=None):
    for name, addr in users.items():
        if name != skip:
            sock.sendto(data, addr)


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
            broadcast(sock, users, f"{name} 进入了聊天室".encode())
            users[name] = addr
        elif kind == "C":
            name, _, message = rest.partition(" ")
            broadcast(sock, users, f"{name} 说 ： {message}".encode(), skip=name)
        elif kind == "Q":
            name = rest.strip()
            if users.pop(name, None) is not None:
                broadcast(sock, users, f"{name} 退出了聊天".encode())
        elif kind == "A":
            broadcast(sock, users, f"管理员说 :{rest}".encode())


def admin_console(address):
    """The child: every line typed at the server's terminal is the administrator speaking."""
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line:
            out.sendto(f"A {line}".encode(), address)
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
