# while.py: the busy loop of the course notes, which run it as
#     nice -9 python3 while.py     (以9的优先级运行: -9 is the obsolete spelling of +9)
#     nice --9 python3 while.py    (以-9的优先级运行: needs root)
# It prints its PID and niceness once, then keeps one CPU busy until stopped (Ctrl-C).
# Watch it with `toolkit ps -p PID`, `toolkit top -p PID`, or race it: `toolkit nice --race`.
import os

print(f"while.py: PID {os.getpid()}, nice {os.nice(0)}", flush=True)
try:
    while True:
        pass
except KeyboardInterrupt:
    pass
