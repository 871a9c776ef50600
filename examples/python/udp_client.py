#!/usr/bin/env python3
"""The homework's chat client as the course writes it: UDP, and os.fork() to read and print at once.

After entering with a name, the process forks: the child reads the keyboard and sends each line
(`C name text`); the parent receives datagrams and prints them. Two processes, because one
process blocked in input() could not print what arrives meanwhile. `quit` (or 退出, or Ctrl-D)
leaves: the child sends `Q name` and exits, and the parent, seeing its child gone, exits too.

Usage: python3 examples/python/udp_client.py HOST:PORT NAME
"""

import os
import signal
import socket
import sys


def main():
    host, _, port = sys.argv[1].rpartition(":")
    name = sys.argv[2]
    server = (host, int(port))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(5)
    sock.sendto(f"L {name}".encode(), server)
    answer, _ = sock.recvfrom(4096)
    if answer != b"OK":
        print(answer.decode("utf-8", "replace"), file=sys.stderr)
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
            if line:
                sock.sendto(f"C {name} {line}".encode(), server)
        sock.sendto(f"Q {name}".encode(), server)
        os._exit(0)

    # The parent: server -> screen, until the child has left.
    def child_left(signum, frame):
        os.waitpid(pid, 0)
        sys.exit(0)

    signal.signal(signal.SIGCHLD, child_left)
    while True:
        data, _ = sock.recvfrom(4096)
        print(data.decode("utf-8", "replace"), flush=True)


if __name__ == "__main__":
    main()
