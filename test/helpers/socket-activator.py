# A stand-in for systemd's socket activation, for the e2e tests: holds a UDP socket and a
# listening TCP socket on 127.0.0.1:PORT for its whole life, and starts each command it is given
# the way systemd starts a socket-activated service — fork, the sockets as fds 3 and 4,
# LISTEN_FDS=2, LISTEN_PID = the child's own pid, LISTEN_FDNAMES, exec. Between two commands the
# kernel keeps queuing datagrams and accepting connections on the held sockets.
#
# stdin: one JSON object per line, {"argv": [...], "stdout": PATH, "stderr": PATH}
# stdout: "ready" once the sockets are bound; then "started PID" per command, "exited PID CODE"
#         when it ends (CODE: the exit status, or -SIGNAL).
# It ends when stdin closes, after its children.

import json
import os
import socket
import sys
import threading

HOST = '127.0.0.1'
NAME = 'statsite-ts.socket'


def bound(port):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((HOST, port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((HOST, port))
    tcp.listen(128)
    return udp, tcp


def say(text):
    sys.stdout.write(text + '\n')
    sys.stdout.flush()


def exec_activated(command, sockets):
    """In the forked child: the sockets become fds 3 and 4, as systemd passes them, then exec."""
    # Out of the way first, so placing one cannot close the other.
    high = [os.dup(s.fileno()) for s in sockets]
    for i, fd in enumerate(high):
        os.dup2(fd, 3 + i, inheritable=True)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(os.open(command['stdout'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
    os.dup2(os.open(command['stderr'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    env = dict(os.environ)
    env.update(LISTEN_FDS=str(len(sockets)), LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES=':'.join([NAME] * len(sockets)))
    os.execve(command['argv'][0], command['argv'], env)


def reap(pid):
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    say('exited %d %d' % (pid, code))


def main():
    sockets = bound(int(sys.argv[1]))
    say('ready')
    reapers = []
    for line in sys.stdin:
        command = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                exec_activated(command, sockets)
            finally:
                os._exit(127)
        say('started %d' % pid)
        reaper = threading.Thread(target=reap, args=(pid,))
        reaper.start()
        reapers.append(reaper)
    for reaper in reapers:
        reaper.join()


main()
