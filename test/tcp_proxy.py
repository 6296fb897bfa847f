#!/usr/bin/env python3
"""A TCP proxy on loopback that counts the bytes it forwards, and can cut.

    tcp_proxy.py LISTEN_PORT TARGET_PORT TALLY_FILE [CUT_AFTER]

Forwards every connection on 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT
and, when a connection ends, appends "<bytes to the server> <bytes from the
server>" to TALLY_FILE.  With CUT_AFTER, a connection is closed (both ways)
once it has forwarded that many bytes from the server.  The benchmarks
measure what a remote side moves with it, from outside the code
(test/bench/remote.sh); the fault tests cut connections mid-result with it
(test/t/070_remote_faults.pl).  It stops on SIGTERM, or by itself after an
hour.
"""
import selectors
import signal
import socket
import sys
import threading
import time


def pump(client, server, tally, cut_after):
    sel = selectors.DefaultSelector()
    sel.register(client, selectors.EVENT_READ, server)
    sel.register(server, selectors.EVENT_READ, client)
    up = down = 0
    try:
        while True:
            for key, _ in sel.select(timeout=600):
                data = key.fileobj.recv(65536)
                if not data:
                    raise EOFError
                key.data.sendall(data)
                if key.fileobj is client:
                    up += len(data)
                else:
                    down += len(data)
                    if cut_after and down >= cut_after:
                        raise EOFError
    except (EOFError, OSError):
        pass
    finally:
        client.close()
        server.close()
        with open(tally, "a") as f:
            f.write("%d %d\n" % (up, down))


def main():
    listen_port, target_port, tally = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    cut_after = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    signal.signal(signal.SIGALRM, lambda *a: sys.exit(0))
    signal.alarm(3600)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", listen_port))
    lsock.listen(16)
    while True:
        client, _ = lsock.accept()
        server = socket.create_connection(("127.0.0.1", target_port))
        threading.Thread(target=pump, args=(client, server, tally, cut_after), daemon=True).start()


if __name__ == "__main__":
    main()
