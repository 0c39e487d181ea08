#!/usr/bin/env python3
"""Puts a fax program on a modem through a new pty that holds the program's writes back.

usage: turnaround_relay.py LINK DEVICE [DELAY_SECONDS]

T.30 5.3.2.4 wants 75 +/- 20 ms between the end of a received signal and the start of a
transmission. efax answers at once, which on two iaxmodems wired back to back (a line with no
latency) puts the receiver's CFR on the line while the sender is still in +FRS (iaxmodem-notes.md:
2 sessions in 6 failed so). Holding each transmit command (AT+FTH, AT+FTM) back DELAY seconds
(0.1 by default), and what follows it behind it, gives the program the turnaround T.30 asks of
it; everything else, and all bytes from the modem, pass at once (a receive command held back
would miss the far end's training). The pty's name is linked at LINK; "ready" is printed once it
is. Stops on SIGTERM.
"""
import collections
import os
import pty
import select
import signal
import sys
import time
import tty


def main():
    link, device = sys.argv[1], sys.argv[2]
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1
    master, slave = pty.openpty()
    modem = os.open(device, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(modem)
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.ttyname(slave), link)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    held = collections.deque()
    try:
        while True:
            timeout = max(0.0, held[0][0] - time.monotonic()) if held else 1.0
            readable, _, _ = select.select([master, modem], [], [], timeout)
            if master in readable:
                try:
                    data = os.read(master, 4096)
                    if data[:6].upper() in (b"AT+FTH", b"AT+FTM"):
                        held.append((time.monotonic() + delay, data))
                    elif held:
                        held.append((held[-1][0], data))
                    else:
                        os.write(modem, data)
                except OSError:
                    # The program closed its side; wait for it to open it again.
                    time.sleep(0.05)
            if modem in readable:
                os.write(master, os.read(modem, 4096))
            while held and held[0][0] <= time.monotonic():
                os.write(modem, held.popleft()[1])
    finally:
        os.unlink(link)


main()
