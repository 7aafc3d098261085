"""Runs moto_server so that it dies with the Node process that started it, even when that process is
killed with SIGKILL and gets no chance to stop it (cli/moto.ts).

Usage: python3 moto-launcher.py <parent pid> <moto_server arguments...>

Two mechanisms, because neither covers every system:
- Linux: PR_SET_PDEATHSIG makes the kernel send SIGKILL to this process when its parent dies.
- Anywhere: the parent holds the write end of this process's stdin; the kernel closes it when the parent
  dies, and a thread that sees end-of-file exits the process.
"""

import ctypes
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    # The parent may have died before prctl took effect: then this process was already re-parented.
    if os.getppid() != parent_pid:
        os._exit(0)

    def exit_on_stdin_eof() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=exit_on_stdin_eof, daemon=True).start()


def main() -> None:
    parent_pid = int(sys.argv[1])
    arguments = sys.argv[2:]
    die_with_parent(parent_pid)
    try:
        from moto.server import main as moto_server
    except ImportError:
        # moto lives in another Python (pipx, a virtualenv): run its script; PR_SET_PDEATHSIG survives
        # exec, the stdin watch does not.
        os.execvp("moto_server", ["moto_server", *arguments])
    moto_server(arguments)


if __name__ == "__main__":
    main()
