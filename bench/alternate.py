#!/usr/bin/env python3
"""Times commands in alternation: run 1 of each, then run 2 of each, and so on, so a machine
whose speed drifts (a shared VM) slows every command alike. For short runs (a 25 ms tree
scan), where one hyperfine block after another can differ by more than the change measured.

    python3 bench/alternate.py RUNS 'CMD 1' 'CMD 2' ... 'BASELINE'

Three warm-up rounds are not counted. Prints each command's median and minimum in
milliseconds and its ratio to the last command's median. Output and exit codes are ignored
(hf-scan exits 1 when it finds something).
"""
import shlex
import statistics
import subprocess
import sys
import time

WARMUP = 3


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    commands = sys.argv[2:]
    argvs = [shlex.split(command) for command in commands]
    times = [[] for _ in commands]
    for round_ in range(WARMUP + runs):
        for index, argv in enumerate(argvs):
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = (time.perf_counter() - start) * 1000
            if round_ >= WARMUP:
                times[index].append(elapsed)
    baseline = statistics.median(times[-1])
    for command, measured in zip(commands, times):
        median = statistics.median(measured)
        print(f"{median:8.2f} ms median (min {min(measured):7.2f})  "
              f"{median / baseline:5.2f}x  {command}")


if __name__ == "__main__":
    main()
