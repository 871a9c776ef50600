#!/usr/bin/env python3
"""A chat client for `toolkit chat server`, in the course's language: TCP, os.fork(), a few lines.

It speaks the toolkit's line protocol (docs/chat-protocol.md): read `HELLO`, send `NAME`, wait for
`WELCOME`; then the process forks. The child reads the keyboard and sends `SAY text` lines; the
parent reads events (`JOINED`, `MSG`, `LEFT`, `ADMIN`) and prints them as the homework's sentences.
TCP keeps the messages in order and tells both sides when the other has gone, which is why the
toolkit's chat uses it (lesson 14).

Usage: python3 examples/python/tcp_client.py HOST:PORT NAME
"""

import os
import signal
import socket
import sys


def sentence(line):
    """One event line of the protocol, as the homework prints it (None: nothing to show)."""
    kind, _, rest = line.partition(" ")
    if kind == "JOINED":
        return f"{rest} 进入了聊天室"
    if kind == "MSG":
        name, _, text = rest.partition(" ")
        return f"{name} 说 ： {text}"
    if kind == "LEFT":
        return f"{rest} 退出了聊天"
    if kind == "ADMIN":
        return f"管理员说 :{rest}"
    if kind == "ERR":
        return f"({rest})"
    return None


def main():
    host, _, port = sys.argv[1].rpartition(":")
    name = sys.argv[2]
    sock = socket.create_connection((host, int(port)), timeout=10)
    lines = sock.makefile("r", encoding="utf-8", newline="\n")
    if not lines.readline().startswith("HELLO "):
        sys.exit("not a toolkit chat server")
    sock.sendall(f"NAME {name}\n".encode())
    answer = lines.readline().rstrip("\n")
    if answer != f"WELCOME {name}":
        print(answer, file=sys.stderr)
        sys.exit(2)
    sock.settimeout(None)
    print(f"{name} 进入了聊天室", flush=True)

    pid = os.fork()
    if pid == 0:
        # The child: keyboard -> server.
        for line in sys.stdin:
            line = line.rstrip("\n")
            if line in ("quit", "退出"):
                break
            sock.sendall(f"SAY {line}\n".encode())
        sock.sendall(b"QUIT\n")
        os._exit(0)

    # The parent: server -> screen, until the server says BYE or closes, then reap the child.
    for line in lines:
        line = line.rstrip("\n")
        if line in ("BYE", "CLOSING"):
            break
        shown = sentence(line)
        if shown is not None:
            print(shown, flush=True)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
